//! [`ExternalConnector`]: caliper-core's `Connector` over a connector program, and its
//! factory.

use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

use async_trait::async_trait;
use caliper_core::connector::{
    Connector, ConnectorBase, ConnectorCheck, ConnectorError, ConnectorFactory, ConnectorInit, TxStatus,
};
use caliper_core::settings::{Settings, keys};
use serde_json::{Map, Value};

use crate::error::HostError;
use crate::process::{ExternalProcess, ProcessSpec};
use crate::protocol::Create;

/// Creates [`ExternalConnector`]s that run one program.
#[derive(Debug, Clone)]
pub struct ExternalFactory {
    program: PathBuf,
    args: Vec<String>,
    name: String,
}

impl ExternalFactory {
    /// A factory running `program` with `args`; `name` is how messages name it (what
    /// `caliper.blockchain` says).
    pub fn new(program: impl Into<PathBuf>, args: Vec<String>, name: impl Into<String>) -> Self {
        ExternalFactory { program: program.into(), args, name: name.into() }
    }

    /// The program it runs.
    pub fn program(&self) -> &Path {
        &self.program
    }

    /// Its arguments.
    pub fn args(&self) -> &[String] {
        &self.args
    }

    /// The spec of the program for a connector of `worker_index`, with the run's deadlines.
    pub fn spec(&self, settings: &Settings, worker_index: i64) -> ProcessSpec {
        let mut spec = ProcessSpec::new(
            &self.program,
            self.args.clone(),
            settings.workspace(),
            &self.name,
            worker_index,
        );
        if let Ok(timeout) = settings.get_duration_ms(keys::CONNECTOR_CALL_TIMEOUT) {
            spec.call_timeout = timeout;
        }
        if let Ok(drain) = settings.get_duration_ms(keys::WORKER_TIMEOUT_DRAIN) {
            spec.silence_limit = drain;
        }
        spec
    }
}

/// Why `program` cannot be run, if it cannot: it must exist, be a file, and (on Unix) be
/// executable.
pub fn check_executable(program: &Path) -> Result<(), String> {
    let meta = std::fs::metadata(program).map_err(|e| format!("{}: {e}", program.display()))?;
    if !meta.is_file() {
        return Err(format!("{} is not a file", program.display()));
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if meta.permissions().mode() & 0o111 == 0 {
            return Err(format!("{} is not executable (chmod +x {0})", program.display()));
        }
    }
    Ok(())
}

#[async_trait]
impl ConnectorFactory for ExternalFactory {
    fn name(&self) -> &'static str {
        "external"
    }

    fn check(&self, _input: &ConnectorCheck<'_>) -> Result<(), Vec<ConnectorError>> {
        check_executable(&self.program).map_err(|message| {
            vec![ConnectorError::Config {
                path: "caliper.blockchain".into(),
                message: format!("the connector program {} cannot be run: {message}", self.name),
            }]
        })
    }

    async fn create(&self, init: ConnectorInit) -> Result<Arc<dyn Connector>, ConnectorError> {
        let spec = self.spec(&init.settings, init.worker_index);
        Ok(Arc::new(ExternalConnector::start(spec, init).await?))
    }
}

/// A connector that is a program speaking the caliper-connector protocol.
///
/// A program that crashes or stops answering fails its round (through
/// [`Connector::failure`]); the next control call (the next round's `getContext`) starts a new
/// one, so the run goes on.
pub struct ExternalConnector {
    base: ConnectorBase,
    spec: ProcessSpec,
    init: ConnectorInit,
    create: CreateFields,
    current: RwLock<Arc<ExternalProcess>>,
    restart: tokio::sync::Mutex<()>,
}

/// What `create` sends besides the worker index and the network configuration.
struct CreateFields {
    network_config_path: String,
    workspace: String,
    settings: Map<String, Value>,
}

impl CreateFields {
    fn new(init: &ConnectorInit) -> Self {
        let workspace = init.settings.workspace();
        let settings = init
            .settings
            .iter()
            .filter(|(key, _, _)| !keys::is_secret(key))
            .map(|(key, value, _)| (key.to_string(), value.clone()))
            .collect();
        CreateFields {
            network_config_path: workspace.join(&init.network.path).display().to_string(),
            workspace: workspace.display().to_string(),
            settings,
        }
    }
}

impl ExternalConnector {
    /// Starts the program and creates the connector for `init.worker_index`.
    pub async fn start(spec: ProcessSpec, init: ConnectorInit) -> Result<Self, HostError> {
        let create = CreateFields::new(&init);
        let (process, kind) = launch(&spec, &init, &create).await?;
        Ok(ExternalConnector {
            base: ConnectorBase::new(kind, &init),
            spec,
            init,
            create,
            current: RwLock::new(Arc::new(process)),
            restart: tokio::sync::Mutex::new(()),
        })
    }

    fn current(&self) -> Arc<ExternalProcess> {
        self.current.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// The program in use now, for calls beyond Caliper's connector interface: the Node.js
    /// sidecar's workload mode sends `initializeWorkloadModule` and `submit` ticks to it. A
    /// program that failed is replaced at the next control call (such as the next round's
    /// `getContext`), not here.
    pub fn process(&self) -> Arc<ExternalProcess> {
        self.current()
    }

    /// The program, replaced by a new one if it has failed.
    async fn live(&self) -> Result<Arc<ExternalProcess>, HostError> {
        let _one_at_a_time = self.restart.lock().await;
        let current = self.current();
        let Some(failure) = current.failure() else { return Ok(current) };
        tracing::warn!("starting a new {} (the last one failed: {failure})", self.spec.label());
        current.kill("replaced by a new program");
        let (process, _) = launch(&self.spec, &self.init, &self.create).await?;
        let process = Arc::new(process);
        *self.current.write().unwrap_or_else(|p| p.into_inner()) = process.clone();
        Ok(process)
    }

    async fn call(&self, method: &str, args: &[Value]) -> Result<Value, ConnectorError> {
        Ok(self.live().await?.call(method, args).await?)
    }
}

/// Starts the program and sends `create`.
async fn launch(
    spec: &ProcessSpec,
    init: &ConnectorInit,
    fields: &CreateFields,
) -> Result<(ExternalProcess, String), HostError> {
    let process = ExternalProcess::start(spec, init.sink.clone()).await?;
    let create = Create {
        worker_index: init.worker_index,
        blockchain: &init.network.blockchain,
        network_config: &init.network.raw,
        network_config_path: &fields.network_config_path,
        workspace: &fields.workspace,
        settings: &fields.settings,
    };
    let kind = process.create(&create).await?;
    Ok((process, kind))
}

#[async_trait]
impl Connector for ExternalConnector {
    fn base(&self) -> &ConnectorBase {
        &self.base
    }

    async fn init(&self, worker_init: bool) -> Result<(), ConnectorError> {
        self.call("init", &[Value::Bool(worker_init)]).await.map(drop)
    }

    async fn install_smart_contract(&self) -> Result<(), ConnectorError> {
        self.call("installSmartContract", &[]).await.map(drop)
    }

    async fn prepare_worker_arguments(&self, workers: usize) -> Result<Vec<Value>, ConnectorError> {
        match self.call("prepareWorkerArguments", &[Value::from(workers)]).await? {
            Value::Array(args) if args.len() == workers => Ok(args),
            other => Err(HostError::BadValue {
                program: self.spec.label(),
                method: "prepareWorkerArguments".into(),
                message: format!(
                    "{}, but an array of {workers} values (one per worker) was expected",
                    kind_of(&other)
                ),
            }
            .into()),
        }
    }

    async fn get_context(&self, round_index: usize, worker_args: &Value) -> Result<Value, ConnectorError> {
        self.call("getContext", &[Value::from(round_index), worker_args.clone()]).await
    }

    async fn release_context(&self) -> Result<(), ConnectorError> {
        let current = self.current();
        if current.failure().is_some() {
            // Its context went with it; the next round's getContext starts a new program.
            return Ok(());
        }
        Ok(current.call("releaseContext", &[]).await.map(drop)?)
    }

    async fn send_requests(&self, requests: Value) -> Vec<TxStatus> {
        let process = self.current();
        process.send_requests(requests).await
    }

    fn failure(&self) -> Option<String> {
        self.current().failure()
    }
}

fn kind_of(value: &Value) -> String {
    match value {
        Value::Array(a) => format!("an array of {} value(s)", a.len()),
        Value::Object(_) => "an object".into(),
        Value::Null => "null".into(),
        Value::Bool(_) => "a boolean".into(),
        Value::Number(_) => "a number".into(),
        Value::String(_) => "a string".into(),
    }
}

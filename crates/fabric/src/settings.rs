//! The connector's runtime settings (Caliper's names; see docs/connectors/fabric.md).

use std::time::Duration;

use caliper_core::connector::ConnectorError;
use caliper_core::settings::{Settings, keys};

/// The settings the connector reads.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct FabricSettings {
    /// `caliper-fabric-timeout-invokeorquery`: the deadline of each Gateway call.
    pub(crate) call_timeout: Duration,
    /// `caliper-fabric-maxinflight`: calls in flight per gateway peer, all workers together.
    pub(crate) max_in_flight: usize,
}

impl FabricSettings {
    /// Reads the settings; a bad value is an error that names the key and where it was set.
    pub(crate) fn read(settings: &Settings) -> Result<Self, ConnectorError> {
        let bad = |e: caliper_core::settings::SettingsError| ConnectorError::Sut(e.to_string());
        let seconds = settings.get_f64(keys::FABRIC_TIMEOUT_INVOKEORQUERY).map_err(bad)?;
        let call_timeout =
            Duration::try_from_secs_f64(seconds).ok().filter(|d| !d.is_zero()).ok_or_else(|| {
                ConnectorError::Sut(format!(
                    "the setting {} = {seconds}: expected a number of seconds above 0",
                    keys::FABRIC_TIMEOUT_INVOKEORQUERY
                ))
            })?;
        let max_in_flight = settings.get_u64(keys::FABRIC_MAXINFLIGHT).map_err(bad)?;
        if max_in_flight == 0 {
            return Err(ConnectorError::Sut(format!(
                "the setting {} = 0: expected at least 1 call in flight per gateway peer",
                keys::FABRIC_MAXINFLIGHT
            )));
        }
        Ok(FabricSettings {
            call_timeout,
            max_in_flight: usize::try_from(max_in_flight).unwrap_or(usize::MAX),
        })
    }
}

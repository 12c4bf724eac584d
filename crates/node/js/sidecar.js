// caliper-rs Node.js sidecar: hosts an unchanged Hyperledger Caliper JavaScript connector (and,
// in workload mode, the round's JavaScript workload module) behind the caliper-connector
// protocol, version 1 (docs/connectors/external.md). stdin carries the host's frames, stdout
// this program's frames, stderr the log. This file is embedded in the caliper binary, which
// writes it to <workspace>/.caliper/node/ and runs it with `node`.
'use strict';

// 1. stdout belongs to the protocol. Before anything else is loaded (caliper-core's winston
// logger and many SDKs write to stdout), every write to process.stdout, console.log included,
// goes to stderr; frames go through the original write function kept here.
// Text written there is a log line: caliper-core's winston lines (`<time> info [caliper]
// [module] message`) get the `level: ` prefix the host reads the level from, and lose their
// colour codes.
const stdout = process.stdout;
const writeFrame = stdout.write.bind(stdout);
const COLOURS = /\x1b\[[\d;]*m/g;
const WINSTON_LEVEL = /^[\d.:-]*\s*(error|warn|info|debug|verbose|silly)\b/;
const HOST_LEVEL = { error: 'error', warn: 'warn', info: 'info', debug: 'debug', verbose: 'debug', silly: 'trace' };
stdout.write = function (chunk, encoding, callback) {
    if (typeof chunk === 'string') {
        chunk = chunk.replace(COLOURS, '');
        const level = WINSTON_LEVEL.exec(chunk);
        if (level) {
            chunk = HOST_LEVEL[level[1]] + ': ' + chunk;
        }
    }
    return process.stderr.write(chunk, encoding, callback);
};

const path = require('path');
const Module = require('module');
const { execFileSync } = require('child_process');

const PROTOCOL = 'caliper-connector';
const VERSION = 1;
const IMPL = 'caliper-rs node sidecar 1 (node ' + process.version + ')';
// What Caliper 0.6's CLI maps its built-in connector names to.
const BUILTIN_CONNECTORS = new Map([
    ['ethereum', '@hyperledger/caliper-ethereum'],
    ['fabric', '@hyperledger/caliper-fabric'],
]);
// At most this many entries per `done`/`submitted`/`events` frame.
const MAX_ENTRIES = 1000;
// Requests and submit ticks the host may keep outstanding in this process. Beyond it they wait
// in the host (Rust memory, not this heap). Smaller caps cost more per transaction (fewer ids
// per frame, more wake-ups); 100,000 kept the sidecar's heap near 100 MB at full speed.
const MAX_IN_FLIGHT = 100000;

function log(level, message) {
    process.stderr.write(level + ': ' + message + '\n');
}

function send(frame) {
    writeFrame(JSON.stringify(frame) + '\n');
}

function errorText(err) {
    if (err instanceof Error) {
        return err.message || String(err);
    }
    return String(err);
}

// The failure class of an error thrown by a connector call: its own `errorClass` when it
// names one, `connection` for the network errors Node reports by code, else `other`.
const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'ETIMEDOUT', 'EPIPE',
    'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT']);
function errorClass(err) {
    if (err && typeof err.errorClass === 'string') {
        return err.errorClass;
    }
    let e = err;
    for (let depth = 0; e && depth < 4; depth++) {
        if (typeof e.code === 'string' && CONNECTION_CODES.has(e.code)) {
            return 'connection';
        }
        e = e.cause;
    }
    return 'other';
}

// JSON of any value a connector returns (a sutContext, worker arguments): what cannot be
// serialised (functions, cycles, SDK handles' internals) is left out, BigInt becomes a string,
// bytes become base64. The live object stays in this process.
function toJson(value) {
    if (value === undefined) {
        return null;
    }
    const seen = new WeakSet();
    const text = JSON.stringify(value, function (key, v) {
        if (typeof v === 'bigint') {
            return v.toString();
        }
        if (v instanceof Uint8Array) {
            return Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64');
        }
        if (v instanceof Map) {
            return Object.fromEntries(v);
        }
        if (typeof v === 'object' && v !== null) {
            if (seen.has(v)) {
                return undefined;
            }
            seen.add(v);
        }
        return v;
    });
    return text === undefined ? null : JSON.parse(text);
}

// A TxStatus time on the wire. Caliper stamps whole milliseconds (Date.now()), which stand for
// any instant of that millisecond; a whole millisecond is sent as its end (t + 1), never
// before the instant it stands for, so a transaction created in the millisecond a round
// started counts in the round (the worker's clock has microseconds). Latencies, differences
// of two times, are unchanged. Fractional times (a connector's own clock) pass as they are.
function wireTime(value) {
    const ms = Number(value) || 0;
    return ms > 0 && Number.isInteger(ms) ? ms + 1 : ms;
}

// A Caliper TxStatus (or its `status` object) on the wire, as JSON text: camelCase names,
// times in epoch milliseconds, custom data as an object, the result only when `withResult`.
// Written as text directly (no intermediate object): this runs once per transaction.
function wireStatus(tx, withResult) {
    const s = tx && typeof tx === 'object' && tx.status && typeof tx.status === 'object' ? tx.status : tx;
    if (!s || typeof s !== 'object') {
        const now = Date.now();
        return JSON.stringify({ id: '', status: 'failed', timeCreate: now, timeFinal: now, verified: false,
            error: 'the connector returned ' + String(tx) + ' instead of a TxStatus', errorClass: 'other' });
    }
    const state = s.status === 'success' || s.status === 'failed' ? s.status : 'created';
    let text = '{"id":' + (typeof s.id === 'string' ? JSON.stringify(s.id) : s.id === undefined || s.id === null ? '""' : JSON.stringify(String(s.id)))
        + ',"status":"' + state
        + '","timeCreate":' + wireTime(s.time_create)
        + ',"timeFinal":' + wireTime(s.time_final)
        + ',"verified":' + (s.verified ? 'true' : 'false');
    const custom = s.custom_data;
    let errorClassName;
    if (custom instanceof Map) {
        if (custom.size > 0) {
            text += ',"customData":' + JSON.stringify(toJson(custom));
            errorClassName = custom.get('errorClass');
        }
    } else if (custom && typeof custom === 'object') {
        text += ',"customData":' + JSON.stringify(toJson(custom));
        errorClassName = custom.errorClass;
    }
    if (state === 'failed') {
        const messages = Array.isArray(s.error_messages) ? s.error_messages.filter((m) => m !== undefined && m !== null && m !== '') : [];
        if (messages.length > 0) {
            text += ',"error":' + JSON.stringify(messages.map((m) => (typeof m === 'string' ? m : errorText(m))).join('; '));
        }
        if (typeof errorClassName === 'string') {
            text += ',"errorClass":' + JSON.stringify(errorClassName);
        }
    }
    if (withResult && s.result !== undefined && s.result !== null && s.result !== '') {
        const result = JSON.stringify(toJson(s.result));
        if (result !== undefined) {
            text += ',"result":' + result;
        }
    }
    return text + '}';
}

// Frames written once per turn of the event loop: everything that finished in one turn
// travels together. Events go first, so the host has counted a transaction's statuses before
// it learns that the submitTransaction() that sent it is over. Entries are kept as JSON text.
const pending = { submittedCount: 0, finished: [], submitted: [], done: [] };
let flushScheduled = false;

function schedule() {
    if (!flushScheduled) {
        flushScheduled = true;
        setImmediate(flush);
    }
}

// Writes `entries` (JSON texts) as frames of at most MAX_ENTRIES: `head` + entries + `]}`.
function writeEntries(head, entries) {
    for (let i = 0; i < entries.length; i += MAX_ENTRIES) {
        const part = i === 0 && entries.length <= MAX_ENTRIES ? entries : entries.slice(i, i + MAX_ENTRIES);
        writeFrame(head + part.join(',') + ']}\n');
    }
}

function flush() {
    flushScheduled = false;
    if (pending.submittedCount > 0 || pending.finished.length > 0) {
        const { submittedCount, finished } = pending;
        pending.submittedCount = 0;
        pending.finished = [];
        if (finished.length === 0) {
            writeFrame('{"t":"events","submitted":' + submittedCount + ',"finished":[]}\n');
        } else {
            // The count rides with the first frame.
            writeEntries('{"t":"events","submitted":' + submittedCount + ',"finished":[', finished.slice(0, MAX_ENTRIES));
            if (finished.length > MAX_ENTRIES) {
                writeEntries('{"t":"events","submitted":0,"finished":[', finished.slice(MAX_ENTRIES));
            }
        }
    }
    if (pending.submitted.length > 0) {
        const entries = pending.submitted;
        pending.submitted = [];
        writeEntries('{"t":"submitted","res":[', entries);
    }
    if (pending.done.length > 0) {
        const entries = pending.done;
        pending.done = [];
        writeEntries('{"t":"done","res":[', entries);
    }
}

// The state of this sidecar.
const state = {
    helloed: false,
    connector: null,
    caliper: null,
    // The live sutContext of the last getContext.
    context: undefined,
    workload: null,
    // Whether the connector's events are the round's statistics (workload mode, between
    // initializeWorkloadModule and cleanupWorkloadModule).
    forwardEvents: false,
    workspace: process.cwd(),
};

// Caliper's settings, as its own forked workers see them: ConfigUtil reads memory first, then
// argv and env (inherited from the host); every caliper-* setting of the run goes to memory.
// The logging settings are left to caliper-core's own defaults (caliper-rs's logging keys do
// not mean the same), so its log stays a plain text log on stderr.
function applySettings(caliper, create) {
    const settings = create.settings || {};
    for (const key of Object.keys(settings)) {
        if (key.startsWith('caliper-logging-')) {
            continue;
        }
        caliper.ConfigUtil.set(key, settings[key]);
    }
    caliper.ConfigUtil.set('caliper-workspace', create.workspace);
    if (create.networkConfigPath) {
        caliper.ConfigUtil.set('caliper-networkconfig', create.networkConfigPath);
    }
}

let globalRoot;
// `npm root -g`, added to NODE_PATH when a package is not in the workspace (Caliper's
// `-g` bindings), asked of npm once.
function addGlobalRoot() {
    if (globalRoot !== undefined) {
        return globalRoot;
    }
    try {
        globalRoot = execFileSync(process.platform === 'win32' ? 'npm.cmd' : 'npm', ['root', '-g'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    } catch (err) {
        globalRoot = null;
        return null;
    }
    const paths = (process.env.NODE_PATH || '').split(path.delimiter).filter((p) => p !== '');
    if (!paths.includes(globalRoot)) {
        paths.push(globalRoot);
        process.env.NODE_PATH = paths.join(path.delimiter);
        Module._initPaths();
    }
    return globalRoot;
}

// Where `caliper.blockchain` points, as Caliper's CaliperUtils.loadModuleFunction decides:
// a built-in name is its package, `./x`, `/x` or `*.js` a file relative to the workspace,
// anything else a package resolved from the workspace (then from `npm root -g`).
function resolveConnector(blockchain, workspace) {
    const fromWorkspace = Module.createRequire(path.join(workspace, 'caliper-workspace.js'));
    let request = blockchain;
    if (BUILTIN_CONNECTORS.has(blockchain)) {
        request = BUILTIN_CONNECTORS.get(blockchain);
    } else if (blockchain.startsWith('./') || blockchain.startsWith('/') || blockchain.endsWith('.js')) {
        return fromWorkspace.resolve(path.resolve(workspace, blockchain));
    }
    try {
        return fromWorkspace.resolve(request);
    } catch (err) {
        if (err.code !== 'MODULE_NOT_FOUND' || !addGlobalRoot()) {
            throw err;
        }
        return Module.createRequire(path.join(globalRoot, 'caliper-global.js')).resolve(request);
    }
}

async function create(frame) {
    state.workspace = frame.workspace || process.cwd();
    // `node:` only chose this sidecar; the rest is what Caliper would load.
    const blockchain = String(frame.blockchain || '').replace(/^node:/, '');
    let entry;
    try {
        entry = resolveConnector(blockchain, state.workspace);
    } catch (err) {
        throw new Error(`caliper.blockchain "${blockchain}" could not be resolved from the workspace ${state.workspace}: ${errorText(err)}`);
    }
    // One caliper-core: the one the connector itself loads.
    const connectorRequire = Module.createRequire(entry);
    let caliper;
    try {
        caliper = connectorRequire('@hyperledger/caliper-core');
    } catch (err) {
        throw new Error(`@hyperledger/caliper-core cannot be loaded from ${path.dirname(entry)} (the connector needs it beside it, e.g. in ${path.join(state.workspace, 'node_modules')}): ${errorText(err)}`);
    }
    state.caliper = caliper;
    applySettings(caliper, frame);
    const factory = caliper.CaliperUtils.loadModuleFunction(new Map(), entry, 'ConnectorFactory', connectorRequire);
    const connector = await factory(frame.workerIndex);
    if (!connector || typeof connector.sendRequests !== 'function') {
        throw new Error(`ConnectorFactory of "${blockchain}" returned no connector (no sendRequests method)`);
    }
    state.connector = connector;
    if (typeof connector.on === 'function') {
        const names = caliper.Constants.Events.Connector;
        connector.on(names.TxsSubmitted, (count) => {
            if (state.forwardEvents) {
                pending.submittedCount += Number(count) || 0;
                schedule();
            }
        });
        connector.on(names.TxsFinished, (results) => {
            if (state.forwardEvents) {
                if (Array.isArray(results)) {
                    for (const r of results) {
                        pending.finished.push(wireStatus(r, false));
                    }
                } else {
                    pending.finished.push(wireStatus(results, false));
                }
                schedule();
            }
        });
    }
    const type = typeof connector.getType === 'function' ? connector.getType() : blockchain;
    return { t: 'created', type: String(type) };
}

function requireConnector() {
    if (!state.connector) {
        throw new Error('no connector: create did not succeed');
    }
    return state.connector;
}

const methods = {
    async init(workerInit) {
        return toJson(await requireConnector().init(Boolean(workerInit)));
    },
    async installSmartContract() {
        return toJson(await requireConnector().installSmartContract());
    },
    async prepareWorkerArguments(number) {
        return toJson(await requireConnector().prepareWorkerArguments(number));
    },
    async getContext(roundIndex, workerArgs) {
        state.context = await requireConnector().getContext(roundIndex, workerArgs);
        return toJson(state.context);
    },
    async releaseContext() {
        const context = state.context;
        state.context = undefined;
        return toJson(await requireConnector().releaseContext(context));
    },
    async initializeWorkloadModule(spec) {
        const connector = requireConnector();
        const factory = state.caliper.CaliperUtils.loadModuleFunction(new Map(), spec.module, 'createWorkloadModule',
            Module.createRequire(path.join(state.workspace, 'caliper-workspace.js')));
        const workload = factory();
        await workload.initializeWorkloadModule(spec.workerIndex, spec.totalWorkers, spec.roundIndex,
            spec.roundArguments || {}, connector, state.context);
        state.workload = workload;
        state.forwardEvents = true;
        return null;
    },
    async cleanupWorkloadModule() {
        const workload = state.workload;
        state.workload = null;
        flush();
        state.forwardEvents = false;
        if (workload && typeof workload.cleanupWorkloadModule === 'function') {
            await workload.cleanupWorkloadModule();
        }
        return null;
    },
};

function call(frame) {
    const method = methods[frame.method];
    const args = Array.isArray(frame.args) ? frame.args : [];
    const reply = method
        ? Promise.resolve().then(() => method(...args))
        : Promise.reject(new Error(`unknown method "${frame.method}"`));
    reply.then(
        (value) => send({ t: 'return', id: frame.id, value: value === undefined ? null : value }),
        (err) => {
            flush();
            send({ t: 'error', id: frame.id, message: errorText(err), class: errorClass(err), stack: err && err.stack ? String(err.stack) : undefined });
        });
}

// The hot path: every request of the frame goes to sendRequests at once, none awaited before
// the next; each answer joins the next `done` frame.
function sendRequests(frame) {
    const reqs = frame.reqs;
    for (let i = 0; i < reqs.length; i++) {
        const rid = reqs[i][0];
        let promise;
        try {
            promise = requireConnector().sendRequests(reqs[i][1]);
        } catch (err) {
            promise = Promise.reject(err);
        }
        Promise.resolve(promise).then((res) => {
            let statuses;
            if (Array.isArray(res)) {
                statuses = res.map((r) => wireStatus(r, true)).join(',');
            } else {
                statuses = wireStatus(res, true);
            }
            pending.done.push('[' + rid + ',[' + statuses + ']]');
            schedule();
        }, (err) => {
            pending.done.push('[' + rid + ',' + JSON.stringify({ error: errorText(err), class: errorClass(err) }) + ']');
            schedule();
        });
    }
}

// Workload mode: one submitTransaction() per id, none awaited before the next, as Caliper's
// worker loop does.
function submit(frame) {
    const workload = state.workload;
    const ids = frame.ids;
    for (let i = 0; i < ids.length; i++) {
        const tid = ids[i];
        let promise;
        try {
            if (!workload) {
                throw new Error('no workload module: initializeWorkloadModule did not succeed');
            }
            promise = workload.submitTransaction();
        } catch (err) {
            promise = Promise.reject(err);
        }
        Promise.resolve(promise).then(() => {
            pending.submitted.push('[' + tid + ',null]');
            schedule();
        }, (err) => {
            pending.submitted.push('[' + tid + ',' + JSON.stringify({ error: errorText(err), stack: err && err.stack ? String(err.stack) : undefined }) + ']');
            schedule();
        });
    }
}

function finish(code) {
    flush();
    process.exit(code);
}

function handle(frame) {
    switch (frame.t) {
    case 'send':
        return sendRequests(frame);
    case 'submit':
        return submit(frame);
    case 'call':
        return call(frame);
    case 'hello':
        if (frame.protocol !== PROTOCOL || frame.version !== VERSION) {
            log('error', `the host speaks ${frame.protocol} version ${frame.version}; this sidecar speaks ${PROTOCOL} version ${VERSION}`);
            return finish(2);
        }
        state.helloed = true;
        return undefined;
    case 'create':
        return create(frame).then(send, (err) => {
            send({ t: 'error', id: null, message: errorText(err), class: errorClass(err), stack: err && err.stack ? String(err.stack) : undefined });
        });
    case 'exit':
        return finish(0);
    default:
        log('warn', `ignoring a frame of unknown type ${JSON.stringify(frame.t)}`);
        return undefined;
    }
}

// NDJSON on stdin: one frame per line.
let buffered = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => {
    buffered += chunk;
    let start = 0;
    let end;
    while ((end = buffered.indexOf('\n', start)) !== -1) {
        const line = buffered.slice(start, end);
        start = end + 1;
        if (line.length === 0) {
            continue;
        }
        let frame;
        try {
            frame = JSON.parse(line);
        } catch (err) {
            log('error', `the host sent a line that is not JSON: ${line.slice(0, 200)}`);
            continue;
        }
        try {
            handle(frame);
        } catch (err) {
            log('error', `${frame.t} failed: ${err && err.stack ? err.stack : err}`);
        }
    }
    buffered = buffered.slice(start);
});
process.stdin.on('end', () => finish(0));
process.on('unhandledRejection', (reason) => {
    log('error', `unhandled promise rejection in the connector: ${reason && reason.stack ? reason.stack : reason}`);
});

send({ t: 'hello', protocol: PROTOCOL, version: VERSION, features: ['workload'], impl: IMPL, maxInFlight: MAX_IN_FLIGHT });

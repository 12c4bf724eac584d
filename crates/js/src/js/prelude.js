// The JavaScript half of caliper-js: CommonJS modules, `@hyperledger/caliper-core`, and the
// subset of Node that Caliper workload modules use. Evaluated once per engine; `native` holds
// the Rust functions (file access, logging, random bytes, timers, settling calls) and the
// returned object is what the Rust side calls.
(function (native) {
    'use strict';

    // ---- path (POSIX) ------------------------------------------------------------------
    function normalizeParts(parts, absolute) {
        const out = [];
        for (const p of parts) {
            if (p === '' || p === '.') continue;
            if (p === '..') {
                if (out.length && out[out.length - 1] !== '..') out.pop();
                else if (!absolute) out.push('..');
            } else out.push(p);
        }
        return out;
    }
    const path = {
        sep: '/',
        delimiter: ':',
        normalize(p) {
            const abs = p.startsWith('/');
            const trailing = p.endsWith('/') && p.length > 1;
            let s = normalizeParts(p.split('/'), abs).join('/');
            if (!s && !abs) s = '.';
            if (trailing && s !== '.') s += '/';
            return (abs ? '/' : '') + s;
        },
        join(...parts) {
            const s = parts.filter((p) => p !== '').join('/');
            return s ? path.normalize(s) : '.';
        },
        resolve(...parts) {
            let s = '';
            for (let i = parts.length - 1; i >= 0 && !s.startsWith('/'); i--) {
                if (parts[i]) s = parts[i] + (s ? '/' + s : '');
            }
            if (!s.startsWith('/')) s = native.cwd() + (s ? '/' + s : '');
            const r = '/' + normalizeParts(s.split('/'), true).join('/');
            return r;
        },
        isAbsolute: (p) => p.startsWith('/'),
        dirname(p) {
            if (!p) return '.';
            const s = p.length > 1 ? p.replace(/\/+$/, '') : p;
            const i = s.lastIndexOf('/');
            if (i < 0) return '.';
            return i === 0 ? '/' : s.slice(0, i);
        },
        basename(p, ext) {
            let b = p.replace(/\/+$/, '');
            b = b.slice(b.lastIndexOf('/') + 1);
            if (ext && b.endsWith(ext) && b !== ext) b = b.slice(0, -ext.length);
            return b;
        },
        extname(p) {
            const b = path.basename(p);
            const i = b.lastIndexOf('.');
            return i <= 0 ? '' : b.slice(i);
        },
        relative(from, to) {
            const f = path.resolve(from).split('/').filter(Boolean);
            const t = path.resolve(to).split('/').filter(Boolean);
            let i = 0;
            while (i < f.length && i < t.length && f[i] === t[i]) i++;
            return [...f.slice(i).map(() => '..'), ...t.slice(i)].join('/');
        },
        parse(p) {
            const base = path.basename(p);
            const ext = path.extname(p);
            return { root: p.startsWith('/') ? '/' : '', dir: path.dirname(p), base, ext, name: ext ? base.slice(0, -ext.length) : base };
        },
        format(o) {
            const base = o.base || (o.name || '') + (o.ext || '');
            return o.dir ? o.dir + '/' + base : (o.root || '') + base;
        },
    };
    path.posix = path;

    // ---- util --------------------------------------------------------------------------
    function inspect(v, opts, depth = 0, seen = []) {
        if (typeof v === 'string') return depth ? `'${v}'` : v;
        if (typeof v === 'function') return `[Function: ${v.name || '(anonymous)'}]`;
        if (typeof v === 'bigint') return `${v}n`;
        if (typeof v === 'symbol') return v.toString();
        if (v === null || typeof v !== 'object') return String(v);
        if (v instanceof Error) return v.stack ? `${v.name}: ${v.message}\n${v.stack}`.trimEnd() : `${v.name}: ${v.message}`;
        if (seen.includes(v)) return '[Circular]';
        if (depth > 4) return Array.isArray(v) ? '[Array]' : '[Object]';
        seen = seen.concat([v]);
        if (v instanceof Map) return `Map(${v.size}) {${[...v].map(([k, x]) => ` ${inspect(k, opts, depth + 1, seen)} => ${inspect(x, opts, depth + 1, seen)}`).join(',')} }`;
        if (v instanceof Set) return `Set(${v.size}) {${[...v].map((x) => ' ' + inspect(x, opts, depth + 1, seen)).join(',')} }`;
        if (v instanceof Date) return v.toISOString();
        if (typeof Buffer !== 'undefined' && v instanceof Buffer) return `<Buffer ${v.toString('hex').replace(/(..)(?!$)/g, '$1 ')}>`;
        if (Array.isArray(v)) return `[ ${v.map((x) => inspect(x, opts, depth + 1, seen)).join(', ')} ]`;
        const keys = Object.keys(v);
        if (!keys.length) return '{}';
        const name = v.constructor && v.constructor !== Object && v.constructor.name ? v.constructor.name + ' ' : '';
        return `${name}{ ${keys.map((k) => `${/^[A-Za-z_$][\w$]*$/.test(k) ? k : `'${k}'`}: ${inspect(v[k], opts, depth + 1, seen)}`).join(', ')} }`;
    }
    function format(f, ...args) {
        if (typeof f !== 'string') return [f, ...args].map((a) => inspect(a)).join(' ');
        let i = 0;
        let s = f.replace(/%[sdifjoO%]/g, (m) => {
            if (m === '%%') return '%';
            if (i >= args.length) return m;
            const a = args[i++];
            switch (m) {
                case '%s': return typeof a === 'string' ? a : inspect(a, undefined, 1);
                case '%d': case '%i': return String(m === '%i' ? parseInt(a) : Number(a));
                case '%f': return String(parseFloat(a));
                case '%j': try { return JSON.stringify(a); } catch (e) { return '[Circular]'; }
                default: return inspect(a, undefined, 1);
            }
        });
        for (; i < args.length; i++) s += ' ' + inspect(args[i], undefined, typeof args[i] === 'string' ? 0 : 1);
        return s;
    }
    const promisifyCustom = Symbol.for('nodejs.util.promisify.custom');
    const util = {
        format,
        inspect,
        promisify(fn) {
            if (fn[promisifyCustom]) return fn[promisifyCustom];
            return function (...args) {
                return new Promise((resolve, reject) => fn.call(this, ...args, (err, value) => (err ? reject(err) : resolve(value))));
            };
        },
        callbackify(fn) {
            return function (...args) {
                const cb = args.pop();
                fn.apply(this, args).then((v) => cb(null, v), (e) => cb(e));
            };
        },
        inherits(ctor, superCtor) {
            Object.setPrototypeOf(ctor.prototype, superCtor.prototype);
            Object.setPrototypeOf(ctor, superCtor);
        },
        deprecate: (fn) => fn,
        isDeepStrictEqual: (a, b) => deepEqual(a, b),
        types: {
            isPromise: (v) => v instanceof Promise,
            isDate: (v) => v instanceof Date,
            isRegExp: (v) => v instanceof RegExp,
            isMap: (v) => v instanceof Map,
            isSet: (v) => v instanceof Set,
        },
        isArray: Array.isArray,
        TextEncoder: globalThis.TextEncoder,
        TextDecoder: globalThis.TextDecoder,
    };
    util.promisify.custom = promisifyCustom;
    util.inspect.custom = Symbol.for('nodejs.util.inspect.custom');

    function deepEqual(a, b) {
        if (Object.is(a, b)) return true;
        if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
        if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
        if (a instanceof Date) return a.getTime() === b.getTime();
        if (a instanceof Map || a instanceof Set) return deepEqual([...a], [...b]);
        const ka = Object.keys(a);
        const kb = Object.keys(b);
        return ka.length === kb.length && ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && deepEqual(a[k], b[k]));
    }

    // ---- console and loggers -----------------------------------------------------------
    // Levels as the worker's log knows them: 0 error, 1 warn, 2 info, 3 debug.
    function logger(name) {
        const at = (level) => (...args) => native.log(level, name, format(...args));
        return { error: at(0), warn: at(1), info: at(2), debug: at(3), verbose: at(3), silly: at(3), log: at(2) };
    }
    const consoleLogger = logger('console');
    const timers = new Map();
    const console = {
        log: consoleLogger.info,
        info: consoleLogger.info,
        warn: consoleLogger.warn,
        error: consoleLogger.error,
        debug: consoleLogger.debug,
        trace: (...args) => consoleLogger.debug(format(...args) + '\n' + new Error().stack),
        dir: (v) => consoleLogger.info(inspect(v)),
        table: (v) => consoleLogger.info(inspect(v)),
        assert: (c, ...args) => { if (!c) consoleLogger.error('Assertion failed' + (args.length ? ': ' + format(...args) : '')); },
        time: (label = 'default') => { timers.set(label, native.now()); },
        timeEnd: (label = 'default') => { const t = timers.get(label); timers.delete(label); if (t !== undefined) consoleLogger.info(`${label}: ${(native.now() - t).toFixed(3)}ms`); },
    };

    // ---- timers ------------------------------------------------------------------------
    // Each timer is one Rust sleep; the Rust side calls fireTimer(id) when it is due.
    let nextTimer = 1;
    const pending = new Map();
    class Timeout {
        constructor(id) { this.id = id; }
        ref() { return this; }
        unref() { return this; }
        hasRef() { return true; }
        refresh() { return this; }
        [Symbol.toPrimitive]() { return this.id; }
    }
    function schedule(fn, ms, args, repeat) {
        if (typeof fn !== 'function') throw new TypeError('The "callback" argument must be of type function');
        ms = Number(ms);
        if (!(ms >= 1 && ms <= 2147483647)) ms = repeat || ms > 2147483647 ? 1 : 0;
        const id = nextTimer++;
        pending.set(id, { fn, args, ms: repeat ? ms : 0 });
        native.timer(id, ms);
        return new Timeout(id);
    }
    function fireTimer(id) {
        const t = pending.get(id);
        if (!t) return;
        if (t.ms) native.timer(id, t.ms);
        else pending.delete(id);
        t.fn(...t.args);
    }
    const clear = (t) => { if (t !== undefined && t !== null) pending.delete(typeof t === 'object' ? t.id : Number(t)); };
    const setTimeout = (fn, ms, ...args) => schedule(fn, ms, args, false);
    const setInterval = (fn, ms, ...args) => schedule(fn, ms, args, true);
    const setImmediate = (fn, ...args) => schedule(fn, 0, args, false);
    const timersModule = {
        setTimeout, setInterval, setImmediate, clearTimeout: clear, clearInterval: clear, clearImmediate: clear,
        promises: {
            setTimeout: (ms, value) => new Promise((resolve) => setTimeout(resolve, ms, value)),
            setImmediate: (value) => new Promise((resolve) => setImmediate(resolve, value)),
        },
    };

    // ---- process -----------------------------------------------------------------------
    const hrtime = (prev) => {
        const ns = native.hrtimeNs();
        let s = Math.floor(ns / 1e9);
        let n = ns - s * 1e9;
        if (prev) { s -= prev[0]; n -= prev[1]; if (n < 0) { s -= 1; n += 1e9; } }
        return [s, n];
    };
    hrtime.bigint = () => BigInt(Math.round(native.hrtimeNs()));
    const process = {
        env: native.env(),
        argv: ['caliper', 'worker'],
        pid: native.pid(),
        platform: 'linux',
        arch: 'x64',
        version: 'v18.0.0-caliper-rs',
        versions: { node: '18.0.0-caliper-rs' },
        release: { name: 'caliper-rs' },
        cwd: () => native.cwd(),
        hrtime,
        uptime: () => native.now() / 1000,
        memoryUsage: () => ({ rss: 0, heapTotal: 0, heapUsed: 0, external: 0, arrayBuffers: 0 }),
        nextTick: (fn, ...args) => queueMicrotask(() => fn(...args)),
        emitWarning: (w) => consoleLogger.warn(String(w)),
        on() { return process; },
        once() { return process; },
        off() { return process; },
        removeListener() { return process; },
        exit(code) { throw new Error(`process.exit(${code === undefined ? '' : code}) is not allowed in a workload module: throw an error to fail the round`); },
        stdout: { write: (s) => { consoleLogger.info(String(s).replace(/\n$/, '')); return true; } },
        stderr: { write: (s) => { consoleLogger.error(String(s).replace(/\n$/, '')); return true; } },
    };

    // ---- Buffer (a Uint8Array, as in Node) ---------------------------------------------
    const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
    function utf8Bytes(s) {
        const out = [];
        for (let i = 0; i < s.length; i++) {
            let c = s.charCodeAt(i);
            if (c >= 0xd800 && c < 0xdc00 && i + 1 < s.length) {
                const d = s.charCodeAt(i + 1);
                if (d >= 0xdc00 && d < 0xe000) { c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00); i++; }
            }
            if (c < 0x80) out.push(c);
            else if (c < 0x800) out.push(0xc0 | (c >> 6), 0x80 | (c & 63));
            else if (c < 0x10000) out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
            else out.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 63), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
        }
        return out;
    }
    function utf8String(b) {
        let s = '';
        for (let i = 0; i < b.length;) {
            const c = b[i++];
            let cp;
            if (c < 0x80) cp = c;
            else if (c >= 0xc0 && c < 0xe0) cp = ((c & 31) << 6) | (b[i++] & 63);
            else if (c >= 0xe0 && c < 0xf0) { cp = ((c & 15) << 12) | ((b[i] & 63) << 6) | (b[i + 1] & 63); i += 2; }
            else if (c >= 0xf0) { cp = ((c & 7) << 18) | ((b[i] & 63) << 12) | ((b[i + 1] & 63) << 6) | (b[i + 2] & 63); i += 3; }
            else cp = 0xfffd;
            s += String.fromCodePoint(cp);
        }
        return s;
    }
    function encodingOf(e) {
        const enc = String(e || 'utf8').toLowerCase();
        if (enc === 'utf-8') return 'utf8';
        if (enc === 'binary') return 'latin1';
        if (enc === 'base64url' || enc === 'utf8' || enc === 'hex' || enc === 'base64' || enc === 'latin1' || enc === 'ascii') return enc;
        throw new TypeError(`Unknown encoding: ${e}`);
    }
    class Buffer extends Uint8Array {
        static from(v, enc, len) {
            if (typeof v === 'string') return Buffer.fromString(v, enc);
            if (v instanceof ArrayBuffer) return new Buffer(v, enc || 0, len === undefined ? v.byteLength - (enc || 0) : len);
            if (v && v.type === 'Buffer' && Array.isArray(v.data)) v = v.data;
            const b = new Buffer(v.length);
            for (let i = 0; i < v.length; i++) b[i] = v[i];
            return b;
        }
        static fromString(s, e) {
            const enc = encodingOf(e);
            let bytes;
            if (enc === 'utf8') bytes = utf8Bytes(s);
            else if (enc === 'hex') { bytes = []; for (let i = 0; i + 1 < s.length; i += 2) { const n = parseInt(s.substr(i, 2), 16); if (Number.isNaN(n)) break; bytes.push(n); } }
            else if (enc === 'base64' || enc === 'base64url') {
                bytes = [];
                const clean = s.replace(/-/g, '+').replace(/_/g, '/').replace(/[^A-Za-z0-9+/]/g, '');
                let acc = 0; let bits = 0;
                for (const ch of clean) { acc = (acc << 6) | B64.indexOf(ch); bits += 6; if (bits >= 8) { bits -= 8; bytes.push((acc >> bits) & 255); } }
            } else { bytes = []; for (let i = 0; i < s.length; i++) bytes.push(s.charCodeAt(i) & 255); }
            return Buffer.from(bytes);
        }
        static alloc(n, fill) { const b = new Buffer(n); if (fill !== undefined) b.fill(typeof fill === 'string' ? fill.charCodeAt(0) : fill); return b; }
        static allocUnsafe(n) { return new Buffer(n); }
        static isBuffer(v) { return v instanceof Buffer; }
        static isEncoding(e) { try { encodingOf(e); return true; } catch (_) { return false; } }
        static byteLength(v, enc) { return typeof v === 'string' ? Buffer.fromString(v, enc).length : v.byteLength; }
        static concat(list, total) {
            const n = total === undefined ? list.reduce((a, b) => a + b.length, 0) : total;
            const out = Buffer.alloc(n);
            let at = 0;
            for (const b of list) { if (at >= n) break; out.set(b.subarray(0, n - at), at); at += b.length; }
            return out;
        }
        toString(e, start = 0, end = this.length) {
            const enc = encodingOf(e);
            const b = this.subarray(start, end);
            if (enc === 'utf8') return utf8String(b);
            if (enc === 'hex') { let s = ''; for (const x of b) s += (x < 16 ? '0' : '') + x.toString(16); return s; }
            if (enc === 'base64' || enc === 'base64url') {
                let s = '';
                for (let i = 0; i < b.length; i += 3) {
                    const n = (b[i] << 16) | ((b[i + 1] || 0) << 8) | (b[i + 2] || 0);
                    s += B64[(n >> 18) & 63] + B64[(n >> 12) & 63] + (i + 1 < b.length ? B64[(n >> 6) & 63] : '=') + (i + 2 < b.length ? B64[n & 63] : '=');
                }
                return enc === 'base64' ? s : s.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
            }
            let s = ''; for (const x of b) s += String.fromCharCode(enc === 'ascii' ? x & 127 : x); return s;
        }
        toJSON() { return { type: 'Buffer', data: Array.from(this) }; }
        equals(o) { return this.length === o.length && this.every((x, i) => x === o[i]); }
        compare(o) { for (let i = 0; i < Math.min(this.length, o.length); i++) if (this[i] !== o[i]) return this[i] < o[i] ? -1 : 1; return Math.sign(this.length - o.length); }
        slice(s, e) { return this.subarray(s, e); }
        subarray(s, e) { const u = Uint8Array.prototype.subarray.call(this, s, e); return new Buffer(u.buffer, u.byteOffset, u.length); }
        write(s, offset = 0) { const b = Buffer.from(s); this.set(b.subarray(0, this.length - offset), offset); return Math.min(b.length, this.length - offset); }
        readUInt8(o = 0) { return this[o]; }
        readUInt32BE(o = 0) { return ((this[o] << 24) >>> 0) + (this[o + 1] << 16) + (this[o + 2] << 8) + this[o + 3]; }
        writeUInt32BE(v, o = 0) { this[o] = v >>> 24; this[o + 1] = v >>> 16; this[o + 2] = v >>> 8; this[o + 3] = v; return o + 4; }
    }

    // ---- crypto ------------------------------------------------------------------------
    const randomBytes = (n, cb) => {
        const b = Buffer.from(native.randomBytes(n));
        if (typeof cb === 'function') { queueMicrotask(() => cb(null, b)); return undefined; }
        return b;
    };
    class Hash {
        constructor(algorithm) { this.algorithm = native.hashAlgorithm(algorithm); this.parts = []; }
        update(data, enc) { this.parts.push(typeof data === 'string' ? Buffer.fromString(data, enc) : Buffer.from(data)); return this; }
        digest(enc) {
            const out = Buffer.from(native.hash(this.algorithm, Array.from(Buffer.concat(this.parts))));
            return enc ? out.toString(enc) : out;
        }
    }
    const crypto = {
        randomBytes,
        pseudoRandomBytes: randomBytes,
        randomUUID() {
            const b = randomBytes(16);
            b[6] = (b[6] & 0x0f) | 0x40;
            b[8] = (b[8] & 0x3f) | 0x80;
            const h = b.toString('hex');
            return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
        },
        randomInt(min, max, cb) {
            if (max === undefined || typeof max === 'function') { cb = max; max = min; min = 0; }
            const v = min + Math.floor(native.randomFloat() * (max - min));
            if (typeof cb === 'function') { queueMicrotask(() => cb(null, v)); return undefined; }
            return v;
        },
        getRandomValues(a) { const b = native.randomBytes(a.byteLength); new Uint8Array(a.buffer, a.byteOffset, a.byteLength).set(b); return a; },
        createHash: (algorithm) => new Hash(algorithm),
        getHashes: () => native.hashAlgorithms(),
    };
    crypto.webcrypto = { getRandomValues: crypto.getRandomValues, randomUUID: crypto.randomUUID };

    // ---- events ------------------------------------------------------------------------
    class EventEmitter {
        constructor() { this._events = new Map(); }
        on(name, fn) { if (!this._events) this._events = new Map(); const l = this._events.get(name) || []; l.push(fn); this._events.set(name, l); return this; }
        addListener(name, fn) { return this.on(name, fn); }
        prependListener(name, fn) { this.on(name, fn); const l = this._events.get(name); l.unshift(l.pop()); return this; }
        once(name, fn) { const w = (...a) => { this.off(name, w); fn.apply(this, a); }; w.listener = fn; return this.on(name, w); }
        off(name, fn) { const l = this._events && this._events.get(name); if (l) { const i = l.findIndex((x) => x === fn || x.listener === fn); if (i >= 0) l.splice(i, 1); } return this; }
        removeListener(name, fn) { return this.off(name, fn); }
        removeAllListeners(name) { if (this._events) { if (name === undefined) this._events.clear(); else this._events.delete(name); } return this; }
        emit(name, ...args) {
            const l = this._events && this._events.get(name);
            if (!l || !l.length) { if (name === 'error') throw args[0] instanceof Error ? args[0] : new Error('Unhandled error. (' + inspect(args[0]) + ')'); return false; }
            for (const fn of [...l]) fn.apply(this, args);
            return true;
        }
        listenerCount(name) { const l = this._events && this._events.get(name); return l ? l.length : 0; }
        listeners(name) { return [...((this._events && this._events.get(name)) || [])]; }
        eventNames() { return this._events ? [...this._events.keys()] : []; }
        setMaxListeners() { return this; }
        getMaxListeners() { return 10; }
    }
    EventEmitter.EventEmitter = EventEmitter;
    EventEmitter.defaultMaxListeners = 10;
    EventEmitter.once = (em, name) => new Promise((resolve) => em.once(name, (...a) => resolve(a)));

    // ---- assert ------------------------------------------------------------------------
    class AssertionError extends Error {
        constructor(message) { super(message); this.name = 'AssertionError'; this.code = 'ERR_ASSERTION'; }
    }
    const fail = (m, d) => { throw m instanceof Error ? m : new AssertionError(m || d); };
    const assert = (v, m) => { if (!v) fail(m, 'The expression evaluated to a falsy value'); };
    Object.assign(assert, {
        ok: assert,
        AssertionError,
        fail: (m) => fail(m, 'Failed'),
        equal: (a, b, m) => { if (a != b) fail(m, `${inspect(a, 0, 1)} == ${inspect(b, 0, 1)}`); }, // eslint-disable-line eqeqeq
        notEqual: (a, b, m) => { if (a == b) fail(m, `${inspect(a, 0, 1)} != ${inspect(b, 0, 1)}`); }, // eslint-disable-line eqeqeq
        strictEqual: (a, b, m) => { if (!Object.is(a, b)) fail(m, `Expected values to be strictly equal: ${inspect(a, 0, 1)} !== ${inspect(b, 0, 1)}`); },
        notStrictEqual: (a, b, m) => { if (Object.is(a, b)) fail(m, `Expected "actual" to be strictly unequal to: ${inspect(b, 0, 1)}`); },
        deepEqual: (a, b, m) => { if (!deepEqual(a, b)) fail(m, 'Expected values to be deeply equal'); },
        deepStrictEqual: (a, b, m) => { if (!deepEqual(a, b)) fail(m, 'Expected values to be strictly deep-equal'); },
        notDeepStrictEqual: (a, b, m) => { if (deepEqual(a, b)) fail(m, 'Expected "actual" not to be strictly deep-equal to "expected"'); },
        throws: (fn, _e, m) => { try { fn(); } catch (e) { return; } fail(typeof _e === 'string' ? _e : m, 'Missing expected exception.'); },
        rejects: async (p, _e, m) => { try { await (typeof p === 'function' ? p() : p); } catch (e) { return; } fail(typeof _e === 'string' ? _e : m, 'Missing expected rejection.'); },
    });
    assert.strict = assert;

    // ---- fs (read-only, synchronous, plus promise forms) -------------------------------
    function readFile(p, options) {
        const enc = typeof options === 'string' ? options : options && options.encoding;
        const file = path.resolve(String(p));
        if (enc) {
            const e = encodingOf(enc);
            const text = native.readFile(file);
            return e === 'utf8' ? text : Buffer.fromString(text, 'utf8').toString(e);
        }
        return Buffer.from(native.readBytes(file));
    }
    const fs = {
        readFileSync: readFile,
        existsSync: (p) => native.stat(path.resolve(String(p))) != null,
        statSync(p) {
            const kind = native.stat(path.resolve(String(p)));
            if (kind == null) { const e = new Error(`ENOENT: no such file or directory, stat '${p}'`); e.code = 'ENOENT'; throw e; }
            return { isFile: () => kind === 'file', isDirectory: () => kind === 'dir' };
        },
        readdirSync: (p) => native.readDir(path.resolve(String(p))),
        readFile(p, options, cb) {
            if (typeof options === 'function') { cb = options; options = undefined; }
            let r; let err = null;
            try { r = readFile(p, options); } catch (e) { err = e; }
            queueMicrotask(() => cb(err, r));
        },
    };
    fs.promises = {
        readFile: async (p, options) => readFile(p, options),
        readdir: async (p) => fs.readdirSync(p),
        stat: async (p) => fs.statSync(p),
    };

    const os = {
        EOL: '\n',
        platform: () => 'linux',
        type: () => 'Linux',
        arch: () => 'x64',
        cpus: () => Array.from({ length: native.cpus() }, () => ({ model: 'cpu', speed: 0 })),
        hostname: () => native.hostname(),
        tmpdir: () => process.env.TMPDIR || '/tmp',
        homedir: () => process.env.HOME || '/',
    };

    // ---- @hyperledger/caliper-core -----------------------------------------------------
    class WorkloadModuleInterface {
        async initializeWorkloadModule(workerIndex, totalWorkers, roundIndex, roundArguments, sutAdapter, sutContext) {
            throw new Error('WorkloadModuleInterface.initializeWorkloadModule() must be implemented in derived class');
        }
        async submitTransaction() {
            throw new Error('WorkloadModuleInterface.submitTransaction() must be implemented in derived class');
        }
        async cleanupWorkloadModule() {
            throw new Error('WorkloadModuleInterface.cleanupWorkloadModule() must be implemented in derived class');
        }
    }
    class WorkloadModuleBase extends WorkloadModuleInterface {
        constructor() {
            super();
            this.workerIndex = -1;
            this.totalWorkers = -1;
            this.roundIndex = -1;
            this.roundArguments = undefined;
            this.sutAdapter = undefined;
            this.sutContext = undefined;
        }
        async initializeWorkloadModule(workerIndex, totalWorkers, roundIndex, roundArguments, sutAdapter, sutContext) {
            this.workerIndex = workerIndex;
            this.totalWorkers = totalWorkers;
            this.roundIndex = roundIndex;
            this.roundArguments = roundArguments;
            this.sutAdapter = sutAdapter;
            this.sutContext = sutContext;
        }
        async submitTransaction() {
            throw new Error('WorkloadModuleBase.submitTransaction() must be implemented in derived class');
        }
        async cleanupWorkloadModule() {}
    }
    // Caliper's TxStatus with its internal `status` object. Statuses made from the Rust side
    // keep their fields in a compact array (`_`) and build the `status` object only when a
    // method or the script asks for it: most workloads never look, and it keeps the hot path
    // cheap.
    function statusOf(a) {
        return {
            id: a[0], status: a[1], time_create: a[2], time_final: a[3], result: a[5], verified: a[4], flags: 0,
            error_messages: a[6] == null ? [] : [a[6]], custom_data: a[9] == null ? new Map() : new Map(Object.entries(a[9])),
            error_class: a[7], time_intended: a[8],
        };
    }
    class TxStatus {
        constructor(id) {
            this._s = { id, status: 'created', time_create: native.now(), time_final: 0, result: null, verified: false, flags: 0, error_messages: [], custom_data: new Map() };
        }
        get status() { return this._s || (this._s = statusOf(this._)); }
        set status(value) { this._s = value; }
        GetID() { return this.status.id; }
        SetID(id) { this.status.id = id; }
        GetStatus() { return this.status.status; }
        IsCommitted() { return this.status.status === 'success'; }
        SetStatusSuccess(time) { this.status.status = 'success'; this.status.time_final = time || native.now(); }
        SetStatusFail() { this.status.status = 'failed'; this.status.time_final = native.now(); }
        GetTimeCreate() { return this.status.time_create; }
        SetTimeCreate(time) { this.status.time_create = time; }
        GetTimeFinal() { return this.status.time_final; }
        IsVerified() { return this.status.verified; }
        SetVerification(v) { this.status.verified = v; }
        GetFlag() { return this.status.flags; }
        SetFlag(flag) { this.status.flags = flag; }
        GetErrMsg() { return this.status.error_messages; }
        SetErrMsg(idx, msg) { this.status.error_messages[idx] = msg; }
        GetResult() { return this.status.result; }
        SetResult(result) { this.status.result = result; }
        GetCustomData() { return this.status.custom_data; }
        Set(key, value) { this.status.custom_data.set(key, value); }
        Get(key) { return this.status.custom_data.get(key); }
        Marshal() { return this.status; }
        toJSON() { return { status: this.status }; }
    }
    function TxStatusFromRust(fields) { this._ = fields; }
    TxStatusFromRust.prototype = TxStatus.prototype;
    const CaliperUtils = {
        getLogger: (name) => logger(String(name)),
        sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
        isNull: (v) => v === null || v === undefined,
        isDefined: (v) => v !== null && v !== undefined,
        isForkedProcess: () => true,
        resolvePath: (p) => path.resolve(native.workspace(), String(p)),
        checkProperty(o, p) { if (!Object.prototype.hasOwnProperty.call(o, p)) throw new Error(`Missing property: ${p}`); },
        checkDefined(v, msg) { if (v === null || v === undefined) throw new Error(msg || 'Value is undefined or null'); },
        parseYaml() { throw new Error('CaliperUtils.parseYaml is not available in caliper-rs: use a JSON file and require() it'); },
        stringify: (v) => JSON.stringify(v),
        flatten: (a) => a.flat(Infinity),
        getCurrentTimestamp: () => Date.now(),
    };
    const caliperCore = {
        WorkloadModuleBase,
        WorkloadModuleInterface,
        TxStatus,
        CaliperUtils,
        ConfigUtil: { get: (key, fallback) => fallback, set() {}, keys: {} },
    };

    // ---- CommonJS modules --------------------------------------------------------------
    const builtins = {
        '@hyperledger/caliper-core': caliperCore,
        assert, buffer: { Buffer }, crypto, events: EventEmitter, fs, 'fs/promises': fs.promises, os, path,
        'path/posix': path, process, timers: timersModule, 'timers/promises': timersModule.promises, util,
        'assert/strict': assert,
    };
    const cache = Object.create(null);

    class Module {
        constructor(id, parent) {
            this.id = id;
            this.filename = id;
            this.path = path.dirname(id);
            this.exports = {};
            this.loaded = false;
            this.parent = parent;
            this.children = [];
            this.paths = [];
        }
    }

    function tryFile(p) { return native.stat(p) === 'file' ? p : null; }
    function tryExtensions(p) { return tryFile(p) || tryFile(p + '.js') || tryFile(p + '.json') || tryFile(p + '.cjs'); }
    function tryDirectory(p) {
        if (native.stat(p) !== 'dir') return null;
        const pkg = tryFile(p + '/package.json');
        if (pkg) {
            let main;
            try { main = JSON.parse(native.readFile(pkg)).main; } catch (e) { main = undefined; }
            if (typeof main === 'string' && main) {
                const m = path.resolve(p, main);
                const found = tryExtensions(m) || tryIndex(m);
                if (found) return found;
            }
        }
        return tryIndex(p);
    }
    function tryIndex(p) { return tryFile(p + '/index.js') || tryFile(p + '/index.json') || tryFile(p + '/index.cjs'); }

    function notFound(request, from, hint) {
        const e = new Error(`Cannot find module '${request}'` + (from ? ` required by ${from}` : '') + (hint ? `: ${hint}` : ''));
        e.code = 'MODULE_NOT_FOUND';
        return e;
    }

    function resolve(request, parent) {
        const from = parent ? parent.filename : null;
        const bare = request.startsWith('node:') ? request.slice(5) : request;
        if (Object.prototype.hasOwnProperty.call(builtins, bare)) return 'builtin:' + bare;
        if (request.startsWith('./') || request.startsWith('../') || request.startsWith('/') || request === '.' || request === '..') {
            const base = path.resolve(from ? path.dirname(from) : native.cwd(), request);
            const found = (request.endsWith('/') ? null : tryExtensions(base)) || tryDirectory(base);
            if (!found) throw notFound(request, from, `no file ${base}, ${base}.js, ${base}.json or ${base}/index.js`);
            return found;
        }
        if (request.startsWith('node:')) {
            throw notFound(request, from, `caliper-rs provides only these Node modules: ${Object.keys(builtins).filter((b) => !b.includes('/') && b !== '@hyperledger/caliper-core').join(', ')}`);
        }
        // A package: look in node_modules folders up from the requiring file, as Node does.
        for (let dir = from ? path.dirname(from) : native.cwd(); ; dir = path.dirname(dir)) {
            if (path.basename(dir) !== 'node_modules') {
                const base = dir + (dir === '/' ? '' : '/') + 'node_modules/' + request;
                const found = tryExtensions(base) || tryDirectory(base);
                if (found) return found;
            }
            if (dir === '/') break;
        }
        const known = Object.keys(builtins).filter((b) => !b.includes('/') || b.startsWith('@')).join(', ');
        throw notFound(request, from, `it is neither a built-in of caliper-rs (${known}) nor a package in a node_modules folder; Node's other modules and native addons are not available`);
    }

    function makeRequire(mod) {
        const req = (request) => {
            if (typeof request !== 'string' || !request) throw new TypeError('The "id" argument must be a non-empty string');
            return load(request, mod);
        };
        req.resolve = (request) => {
            const r = resolve(request, mod);
            return r.startsWith('builtin:') ? r.slice(8) : r;
        };
        req.cache = cache;
        req.main = undefined;
        return req;
    }

    function load(request, parent) {
        const filename = resolve(request, parent);
        if (filename.startsWith('builtin:')) return builtins[filename.slice(8)];
        const cached = cache[filename];
        if (cached) {
            if (parent && !parent.children.includes(cached)) parent.children.push(cached);
            return cached.exports;
        }
        const mod = new Module(filename, parent);
        // Cached before it runs, so a cycle gets the unfinished exports, as in Node.
        cache[filename] = mod;
        if (parent) parent.children.push(mod);
        let ok = false;
        try {
            if (filename.endsWith('.json')) {
                const text = native.readFile(filename);
                try {
                    mod.exports = JSON.parse(text);
                } catch (e) {
                    throw new SyntaxError(`${filename}: ${e.message}`);
                }
            } else {
                const fn = native.compile(native.readFile(filename), filename);
                const req = makeRequire(mod);
                fn.call(mod.exports, mod.exports, req, mod, filename, path.dirname(filename));
            }
            ok = true;
        } finally {
            if (!ok) delete cache[filename];
        }
        mod.loaded = true;
        return mod.exports;
    }

    // ---- globals -----------------------------------------------------------------------
    Object.assign(globalThis, {
        console, process, Buffer, setTimeout, setInterval, setImmediate,
        clearTimeout: clear, clearInterval: clear, clearImmediate: clear, global: globalThis,
    });
    if (typeof globalThis.queueMicrotask !== 'function') globalThis.queueMicrotask = (fn) => { Promise.resolve().then(fn); };
    if (!globalThis.crypto) globalThis.crypto = crypto.webcrypto;

    // ---- what the Rust side calls ------------------------------------------------------
    return {
        // Loads the workload file and returns its factory, or throws saying what is wrong.
        factory(file) {
            const exports = load(file, null);
            const f = exports && exports.createWorkloadModule;
            if (typeof f !== 'function') {
                const e = new TypeError(`${file} does not export a createWorkloadModule function ` +
                    `(expected module.exports.createWorkloadModule = () => new MyWorkload(); found ${f === undefined ? 'nothing' : typeof f})`);
                e.stack = '';
                throw e;
            }
            return f;
        },
        // One instance for a round, checked to have the methods the worker calls.
        instance(factory, file) {
            const m = factory();
            if (m === null || typeof m !== 'object' || typeof m.submitTransaction !== 'function') {
                throw new TypeError(`createWorkloadModule() of ${file} must return an object with a submitTransaction method (got ${m === null ? 'null' : typeof m})`);
            }
            return m;
        },
        // Reports the outcome of a transaction's promise through native.settle: the slow
        // path, for a promise the Rust side cannot follow by itself (see engine.rs). A
        // rejection handler (not a catch clause) also receives an uncatchable error, such as
        // a script stopped by its deadline.
        watch(p, id) {
            Promise.resolve(p).then(() => native.settle(id, true), (e) => native.settle(id, false, e));
        },
        // A TxStatus from the fields of a Rust status.
        txStatus(id, state, timeCreate, timeFinal, verified, result, error, errorClass, timeIntended, custom) {
            return new TxStatusFromRust([id, state, timeCreate, timeFinal, verified, result, error, errorClass, timeIntended, custom]);
        },
        // The same, resolving a sendRequests promise with it (one call for the usual case).
        resolveOne(resolve, id, state, timeCreate, timeFinal, verified, result, error, errorClass, timeIntended, custom) {
            resolve(new TxStatusFromRust([id, state, timeCreate, timeFinal, verified, result, error, errorClass, timeIntended, custom]));
        },
        // initializeWorkloadModule / cleanupWorkloadModule, which the module may omit when it
        // does not extend WorkloadModuleBase.
        async call(m, method, args, id) {
            try {
                if (typeof m[method] === 'function') await m[method](...args);
                else if (method !== 'cleanupWorkloadModule' && method !== 'initializeWorkloadModule') throw new TypeError(`the workload module has no ${method} method`);
                native.settle(id, true);
            } catch (e) {
                native.settle(id, false, e);
            }
        },
        fireTimer,
        inspect,
    };
});

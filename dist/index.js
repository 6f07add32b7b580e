import { createRequire as __WEBPACK_EXTERNAL_createRequire } from "module";
/******/ var __webpack_modules__ = ({

/***/ 770:
/***/ ((module, __unused_webpack_exports, __nccwpck_require__) => {

module.exports = __nccwpck_require__(218);


/***/ }),

/***/ 218:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {

var __webpack_unused_export__;


var net = __nccwpck_require__(9278);
var tls = __nccwpck_require__(4756);
var http = __nccwpck_require__(8611);
var https = __nccwpck_require__(5692);
var events = __nccwpck_require__(4434);
var assert = __nccwpck_require__(2613);
var util = __nccwpck_require__(9023);


exports.httpOverHttp = httpOverHttp;
exports.httpsOverHttp = httpsOverHttp;
exports.httpOverHttps = httpOverHttps;
exports.httpsOverHttps = httpsOverHttps;


function httpOverHttp(options) {
  var agent = new TunnelingAgent(options);
  agent.request = http.request;
  return agent;
}

function httpsOverHttp(options) {
  var agent = new TunnelingAgent(options);
  agent.request = http.request;
  agent.createSocket = createSecureSocket;
  agent.defaultPort = 443;
  return agent;
}

function httpOverHttps(options) {
  var agent = new TunnelingAgent(options);
  agent.request = https.request;
  return agent;
}

function httpsOverHttps(options) {
  var agent = new TunnelingAgent(options);
  agent.request = https.request;
  agent.createSocket = createSecureSocket;
  agent.defaultPort = 443;
  return agent;
}


function TunnelingAgent(options) {
  var self = this;
  self.options = options || {};
  self.proxyOptions = self.options.proxy || {};
  self.maxSockets = self.options.maxSockets || http.Agent.defaultMaxSockets;
  self.requests = [];
  self.sockets = [];

  self.on('free', function onFree(socket, host, port, localAddress) {
    var options = toOptions(host, port, localAddress);
    for (var i = 0, len = self.requests.length; i < len; ++i) {
      var pending = self.requests[i];
      if (pending.host === options.host && pending.port === options.port) {
        // Detect the request to connect same origin server,
        // reuse the connection.
        self.requests.splice(i, 1);
        pending.request.onSocket(socket);
        return;
      }
    }
    socket.destroy();
    self.removeSocket(socket);
  });
}
util.inherits(TunnelingAgent, events.EventEmitter);

TunnelingAgent.prototype.addRequest = function addRequest(req, host, port, localAddress) {
  var self = this;
  var options = mergeOptions({request: req}, self.options, toOptions(host, port, localAddress));

  if (self.sockets.length >= this.maxSockets) {
    // We are over limit so we'll add it to the queue.
    self.requests.push(options);
    return;
  }

  // If we are under maxSockets create a new one.
  self.createSocket(options, function(socket) {
    socket.on('free', onFree);
    socket.on('close', onCloseOrRemove);
    socket.on('agentRemove', onCloseOrRemove);
    req.onSocket(socket);

    function onFree() {
      self.emit('free', socket, options);
    }

    function onCloseOrRemove(err) {
      self.removeSocket(socket);
      socket.removeListener('free', onFree);
      socket.removeListener('close', onCloseOrRemove);
      socket.removeListener('agentRemove', onCloseOrRemove);
    }
  });
};

TunnelingAgent.prototype.createSocket = function createSocket(options, cb) {
  var self = this;
  var placeholder = {};
  self.sockets.push(placeholder);

  var connectOptions = mergeOptions({}, self.proxyOptions, {
    method: 'CONNECT',
    path: options.host + ':' + options.port,
    agent: false,
    headers: {
      host: options.host + ':' + options.port
    }
  });
  if (options.localAddress) {
    connectOptions.localAddress = options.localAddress;
  }
  if (connectOptions.proxyAuth) {
    connectOptions.headers = connectOptions.headers || {};
    connectOptions.headers['Proxy-Authorization'] = 'Basic ' +
        new Buffer(connectOptions.proxyAuth).toString('base64');
  }

  debug('making CONNECT request');
  var connectReq = self.request(connectOptions);
  connectReq.useChunkedEncodingByDefault = false; // for v0.6
  connectReq.once('response', onResponse); // for v0.6
  connectReq.once('upgrade', onUpgrade);   // for v0.6
  connectReq.once('connect', onConnect);   // for v0.7 or later
  connectReq.once('error', onError);
  connectReq.end();

  function onResponse(res) {
    // Very hacky. This is necessary to avoid http-parser leaks.
    res.upgrade = true;
  }

  function onUpgrade(res, socket, head) {
    // Hacky.
    process.nextTick(function() {
      onConnect(res, socket, head);
    });
  }

  function onConnect(res, socket, head) {
    connectReq.removeAllListeners();
    socket.removeAllListeners();

    if (res.statusCode !== 200) {
      debug('tunneling socket could not be established, statusCode=%d',
        res.statusCode);
      socket.destroy();
      var error = new Error('tunneling socket could not be established, ' +
        'statusCode=' + res.statusCode);
      error.code = 'ECONNRESET';
      options.request.emit('error', error);
      self.removeSocket(placeholder);
      return;
    }
    if (head.length > 0) {
      debug('got illegal response body from proxy');
      socket.destroy();
      var error = new Error('got illegal response body from proxy');
      error.code = 'ECONNRESET';
      options.request.emit('error', error);
      self.removeSocket(placeholder);
      return;
    }
    debug('tunneling connection has established');
    self.sockets[self.sockets.indexOf(placeholder)] = socket;
    return cb(socket);
  }

  function onError(cause) {
    connectReq.removeAllListeners();

    debug('tunneling socket could not be established, cause=%s\n',
          cause.message, cause.stack);
    var error = new Error('tunneling socket could not be established, ' +
                          'cause=' + cause.message);
    error.code = 'ECONNRESET';
    options.request.emit('error', error);
    self.removeSocket(placeholder);
  }
};

TunnelingAgent.prototype.removeSocket = function removeSocket(socket) {
  var pos = this.sockets.indexOf(socket)
  if (pos === -1) {
    return;
  }
  this.sockets.splice(pos, 1);

  var pending = this.requests.shift();
  if (pending) {
    // If we have pending requests and a socket gets closed a new one
    // needs to be created to take over in the pool for the one that closed.
    this.createSocket(pending, function(socket) {
      pending.request.onSocket(socket);
    });
  }
};

function createSecureSocket(options, cb) {
  var self = this;
  TunnelingAgent.prototype.createSocket.call(self, options, function(socket) {
    var hostHeader = options.request.getHeader('host');
    var tlsOptions = mergeOptions({}, self.options, {
      socket: socket,
      servername: hostHeader ? hostHeader.replace(/:.*$/, '') : options.host
    });

    // 0 is dummy port for v0.6
    var secureSocket = tls.connect(0, tlsOptions);
    self.sockets[self.sockets.indexOf(socket)] = secureSocket;
    cb(secureSocket);
  });
}


function toOptions(host, port, localAddress) {
  if (typeof host === 'string') { // since v0.10
    return {
      host: host,
      port: port,
      localAddress: localAddress
    };
  }
  return host; // for v0.11 or later
}

function mergeOptions(target) {
  for (var i = 1, len = arguments.length; i < len; ++i) {
    var overrides = arguments[i];
    if (typeof overrides === 'object') {
      var keys = Object.keys(overrides);
      for (var j = 0, keyLen = keys.length; j < keyLen; ++j) {
        var k = keys[j];
        if (overrides[k] !== undefined) {
          target[k] = overrides[k];
        }
      }
    }
  }
  return target;
}


var debug;
if (process.env.NODE_DEBUG && /\btunnel\b/.test(process.env.NODE_DEBUG)) {
  debug = function() {
    var args = Array.prototype.slice.call(arguments);
    if (typeof args[0] === 'string') {
      args[0] = 'TUNNEL: ' + args[0];
    } else {
      args.unshift('TUNNEL:');
    }
    console.error.apply(console, args);
  }
} else {
  debug = function() {};
}
__webpack_unused_export__ = debug; // for test


/***/ }),

/***/ 5803:
/***/ ((module, __unused_webpack_exports, __nccwpck_require__) => {



const { websocketMask, websocketUnmask } = __nccwpck_require__(8611);

const { EMPTY_BUFFER } = __nccwpck_require__(1791);

const FastBuffer = Buffer[Symbol.species];

/**
 * Merges an array of buffers into a new buffer.
 *
 * @param {Buffer[]} list The array of buffers to concat
 * @param {Number} totalLength The total length of buffers in the list
 * @return {Buffer} The resulting buffer
 * @public
 */
function concat(list, totalLength) {
  if (list.length === 0) return EMPTY_BUFFER;
  if (list.length === 1) return list[0];

  const target = Buffer.allocUnsafe(totalLength);
  let offset = 0;

  for (let i = 0; i < list.length; i++) {
    const buf = list[i];
    target.set(buf, offset);
    offset += buf.length;
  }

  if (offset < totalLength) {
    return new FastBuffer(target.buffer, target.byteOffset, offset);
  }

  return target;
}

/**
 * Masks a buffer using the given mask.
 *
 * @param {Buffer} source The buffer to mask
 * @param {Buffer} mask The mask to use
 * @param {Buffer} output The buffer where to store the result
 * @param {Number} offset The offset at which to start writing
 * @param {Number} length The number of bytes to mask.
 * @public
 */
function _mask(source, mask, output, offset, length) {
  for (let i = 0; i < length; i++) {
    output[offset + i] = source[i] ^ mask[i & 3];
  }
}

/**
 * Unmasks a buffer using the given mask.
 *
 * @param {Buffer} buffer The buffer to unmask
 * @param {Buffer} mask The mask to use
 * @public
 */
function _unmask(buffer, mask) {
  for (let i = 0; i < buffer.length; i++) {
    buffer[i] ^= mask[i & 3];
  }
}

/**
 * Converts a buffer to an `ArrayBuffer`.
 *
 * @param {Buffer} buf The buffer to convert
 * @return {ArrayBuffer} Converted buffer
 * @public
 */
function toArrayBuffer(buf) {
  if (buf.length === buf.buffer.byteLength) {
    return buf.buffer;
  }

  return buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.length);
}

/**
 * Converts `data` to a `Buffer`.
 *
 * @param {*} data The data to convert
 * @return {Buffer} The buffer
 * @throws {TypeError}
 * @public
 */
function toBuffer(data) {
  toBuffer.readOnly = true;

  if (Buffer.isBuffer(data)) return data;

  let buf;

  if (data instanceof ArrayBuffer) {
    buf = new FastBuffer(data);
  } else if (ArrayBuffer.isView(data)) {
    buf = new FastBuffer(data.buffer, data.byteOffset, data.byteLength);
  } else {
    buf = Buffer.from(data);
    toBuffer.readOnly = false;
  }

  return buf;
}

module.exports = {
  concat,
  mask: _mask,
  toArrayBuffer,
  toBuffer,
  unmask: _unmask
};

if (websocketMask) {
  module.exports.mask = function (source, mask, output, offset, length) {
    if (length < 24) _mask(source, mask, output, offset, length);
    else websocketMask(source, mask, output, offset, length);
  };

  module.exports.unmask = function (buffer, mask) {
    if (buffer.length < 24) _unmask(buffer, mask);
    else websocketUnmask(buffer, mask);
  };
} /* istanbul ignore else  */ else if (!process.env.WS_NO_BUFFER_UTIL) {
  try {
    const bufferUtil = __nccwpck_require__(8327);

    module.exports.mask = function (source, mask, output, offset, length) {
      if (length < 48) _mask(source, mask, output, offset, length);
      else bufferUtil.mask(source, mask, output, offset, length);
    };

    module.exports.unmask = function (buffer, mask) {
      if (buffer.length < 32) _unmask(buffer, mask);
      else bufferUtil.unmask(buffer, mask);
    };
  } catch (e) {
    // Continue regardless of the error.
  }
}


/***/ }),

/***/ 1791:
/***/ ((module) => {



const BINARY_TYPES = ['nodebuffer', 'arraybuffer', 'fragments'];
const hasBlob = typeof Blob !== 'undefined';

if (hasBlob) BINARY_TYPES.push('blob');

module.exports = {
  BINARY_TYPES,
  CLOSE_TIMEOUT: 30000,
  EMPTY_BUFFER: Buffer.alloc(0),
  GUID: '258EAFA5-E914-47DA-95CA-C5AB0DC85B11',
  hasBlob,
  kForOnEventAttribute: Symbol('kIsForOnEventAttribute'),
  kListener: Symbol('kListener'),
  kStatusCode: Symbol('status-code'),
  kWebSocket: Symbol('websocket'),
  NOOP: () => {}
};


/***/ }),

/***/ 4634:
/***/ ((module, __unused_webpack_exports, __nccwpck_require__) => {



const { kForOnEventAttribute, kListener } = __nccwpck_require__(1791);

const kCode = Symbol('kCode');
const kData = Symbol('kData');
const kError = Symbol('kError');
const kMessage = Symbol('kMessage');
const kReason = Symbol('kReason');
const kTarget = Symbol('kTarget');
const kType = Symbol('kType');
const kWasClean = Symbol('kWasClean');

/**
 * Class representing an event.
 */
class Event {
  /**
   * Create a new `Event`.
   *
   * @param {String} type The name of the event
   * @throws {TypeError} If the `type` argument is not specified
   */
  constructor(type) {
    this[kTarget] = null;
    this[kType] = type;
  }

  /**
   * @type {*}
   */
  get target() {
    return this[kTarget];
  }

  /**
   * @type {String}
   */
  get type() {
    return this[kType];
  }
}

Object.defineProperty(Event.prototype, 'target', { enumerable: true });
Object.defineProperty(Event.prototype, 'type', { enumerable: true });

/**
 * Class representing a close event.
 *
 * @extends Event
 */
class CloseEvent extends Event {
  /**
   * Create a new `CloseEvent`.
   *
   * @param {String} type The name of the event
   * @param {Object} [options] A dictionary object that allows for setting
   *     attributes via object members of the same name
   * @param {Number} [options.code=0] The status code explaining why the
   *     connection was closed
   * @param {String} [options.reason=''] A human-readable string explaining why
   *     the connection was closed
   * @param {Boolean} [options.wasClean=false] Indicates whether or not the
   *     connection was cleanly closed
   */
  constructor(type, options = {}) {
    super(type);

    this[kCode] = options.code === undefined ? 0 : options.code;
    this[kReason] = options.reason === undefined ? '' : options.reason;
    this[kWasClean] = options.wasClean === undefined ? false : options.wasClean;
  }

  /**
   * @type {Number}
   */
  get code() {
    return this[kCode];
  }

  /**
   * @type {String}
   */
  get reason() {
    return this[kReason];
  }

  /**
   * @type {Boolean}
   */
  get wasClean() {
    return this[kWasClean];
  }
}

Object.defineProperty(CloseEvent.prototype, 'code', { enumerable: true });
Object.defineProperty(CloseEvent.prototype, 'reason', { enumerable: true });
Object.defineProperty(CloseEvent.prototype, 'wasClean', { enumerable: true });

/**
 * Class representing an error event.
 *
 * @extends Event
 */
class ErrorEvent extends Event {
  /**
   * Create a new `ErrorEvent`.
   *
   * @param {String} type The name of the event
   * @param {Object} [options] A dictionary object that allows for setting
   *     attributes via object members of the same name
   * @param {*} [options.error=null] The error that generated this event
   * @param {String} [options.message=''] The error message
   */
  constructor(type, options = {}) {
    super(type);

    this[kError] = options.error === undefined ? null : options.error;
    this[kMessage] = options.message === undefined ? '' : options.message;
  }

  /**
   * @type {*}
   */
  get error() {
    return this[kError];
  }

  /**
   * @type {String}
   */
  get message() {
    return this[kMessage];
  }
}

Object.defineProperty(ErrorEvent.prototype, 'error', { enumerable: true });
Object.defineProperty(ErrorEvent.prototype, 'message', { enumerable: true });

/**
 * Class representing a message event.
 *
 * @extends Event
 */
class MessageEvent extends Event {
  /**
   * Create a new `MessageEvent`.
   *
   * @param {String} type The name of the event
   * @param {Object} [options] A dictionary object that allows for setting
   *     attributes via object members of the same name
   * @param {*} [options.data=null] The message content
   */
  constructor(type, options = {}) {
    super(type);

    this[kData] = options.data === undefined ? null : options.data;
  }

  /**
   * @type {*}
   */
  get data() {
    return this[kData];
  }
}

Object.defineProperty(MessageEvent.prototype, 'data', { enumerable: true });

/**
 * This provides methods for emulating the `EventTarget` interface. It's not
 * meant to be used directly.
 *
 * @mixin
 */
const EventTarget = {
  /**
   * Register an event listener.
   *
   * @param {String} type A string representing the event type to listen for
   * @param {(Function|Object)} handler The listener to add
   * @param {Object} [options] An options object specifies characteristics about
   *     the event listener
   * @param {Boolean} [options.once=false] A `Boolean` indicating that the
   *     listener should be invoked at most once after being added. If `true`,
   *     the listener would be automatically removed when invoked.
   * @public
   */
  addEventListener(type, handler, options = {}) {
    for (const listener of this.listeners(type)) {
      if (
        !options[kForOnEventAttribute] &&
        listener[kListener] === handler &&
        !listener[kForOnEventAttribute]
      ) {
        return;
      }
    }

    let wrapper;

    if (type === 'message') {
      wrapper = function onMessage(data, isBinary) {
        const event = new MessageEvent('message', {
          data: isBinary ? data : data.toString()
        });

        event[kTarget] = this;
        callListener(handler, this, event);
      };
    } else if (type === 'close') {
      wrapper = function onClose(code, message) {
        const event = new CloseEvent('close', {
          code,
          reason: message.toString(),
          wasClean: this._closeFrameReceived && this._closeFrameSent
        });

        event[kTarget] = this;
        callListener(handler, this, event);
      };
    } else if (type === 'error') {
      wrapper = function onError(error) {
        const event = new ErrorEvent('error', {
          error,
          message: error.message
        });

        event[kTarget] = this;
        callListener(handler, this, event);
      };
    } else if (type === 'open') {
      wrapper = function onOpen() {
        const event = new Event('open');

        event[kTarget] = this;
        callListener(handler, this, event);
      };
    } else {
      return;
    }

    wrapper[kForOnEventAttribute] = !!options[kForOnEventAttribute];
    wrapper[kListener] = handler;

    if (options.once) {
      this.once(type, wrapper);
    } else {
      this.on(type, wrapper);
    }
  },

  /**
   * Remove an event listener.
   *
   * @param {String} type A string representing the event type to remove
   * @param {(Function|Object)} handler The listener to remove
   * @public
   */
  removeEventListener(type, handler) {
    for (const listener of this.listeners(type)) {
      if (listener[kListener] === handler && !listener[kForOnEventAttribute]) {
        this.removeListener(type, listener);
        break;
      }
    }
  }
};

module.exports = {
  CloseEvent,
  ErrorEvent,
  Event,
  EventTarget,
  MessageEvent
};

/**
 * Call an event listener
 *
 * @param {(Function|Object)} listener The listener to call
 * @param {*} thisArg The value to use as `this`` when calling the listener
 * @param {Event} event The event to pass to the listener
 * @private
 */
function callListener(listener, thisArg, event) {
  if (typeof listener === 'object' && listener.handleEvent) {
    listener.handleEvent.call(listener, event);
  } else {
    listener.call(thisArg, event);
  }
}


/***/ }),

/***/ 1335:
/***/ ((module, __unused_webpack_exports, __nccwpck_require__) => {



const { tokenChars } = __nccwpck_require__(6615);

/**
 * Adds an offer to the map of extension offers or a parameter to the map of
 * parameters.
 *
 * @param {Object} dest The map of extension offers or parameters
 * @param {String} name The extension or parameter name
 * @param {(Object|Boolean|String)} elem The extension parameters or the
 *     parameter value
 * @private
 */
function push(dest, name, elem) {
  if (dest[name] === undefined) dest[name] = [elem];
  else dest[name].push(elem);
}

/**
 * Parses the `Sec-WebSocket-Extensions` header into an object.
 *
 * @param {String} header The field value of the header
 * @return {Object} The parsed object
 * @public
 */
function parse(header) {
  const offers = Object.create(null);
  let params = Object.create(null);
  let mustUnescape = false;
  let isEscaping = false;
  let inQuotes = false;
  let extensionName;
  let paramName;
  let start = -1;
  let code = -1;
  let end = -1;
  let i = 0;

  for (; i < header.length; i++) {
    code = header.charCodeAt(i);

    if (extensionName === undefined) {
      if (end === -1 && tokenChars[code] === 1) {
        if (start === -1) start = i;
      } else if (
        i !== 0 &&
        (code === 0x20 /* ' ' */ || code === 0x09) /* '\t' */
      ) {
        if (end === -1 && start !== -1) end = i;
      } else if (code === 0x3b /* ';' */ || code === 0x2c /* ',' */) {
        if (start === -1) {
          throw new SyntaxError(`Unexpected character at index ${i}`);
        }

        if (end === -1) end = i;
        const name = header.slice(start, end);
        if (code === 0x2c) {
          push(offers, name, params);
          params = Object.create(null);
        } else {
          extensionName = name;
        }

        start = end = -1;
      } else {
        throw new SyntaxError(`Unexpected character at index ${i}`);
      }
    } else if (paramName === undefined) {
      if (end === -1 && tokenChars[code] === 1) {
        if (start === -1) start = i;
      } else if (code === 0x20 || code === 0x09) {
        if (end === -1 && start !== -1) end = i;
      } else if (code === 0x3b || code === 0x2c) {
        if (start === -1) {
          throw new SyntaxError(`Unexpected character at index ${i}`);
        }

        if (end === -1) end = i;
        push(params, header.slice(start, end), true);
        if (code === 0x2c) {
          push(offers, extensionName, params);
          params = Object.create(null);
          extensionName = undefined;
        }

        start = end = -1;
      } else if (code === 0x3d /* '=' */ && start !== -1 && end === -1) {
        paramName = header.slice(start, i);
        start = end = -1;
      } else {
        throw new SyntaxError(`Unexpected character at index ${i}`);
      }
    } else {
      //
      // The value of a quoted-string after unescaping must conform to the
      // token ABNF, so only token characters are valid.
      // Ref: https://tools.ietf.org/html/rfc6455#section-9.1
      //
      if (isEscaping) {
        if (tokenChars[code] !== 1) {
          throw new SyntaxError(`Unexpected character at index ${i}`);
        }
        if (start === -1) start = i;
        else if (!mustUnescape) mustUnescape = true;
        isEscaping = false;
      } else if (inQuotes) {
        if (tokenChars[code] === 1) {
          if (start === -1) start = i;
        } else if (code === 0x22 /* '"' */ && start !== -1) {
          inQuotes = false;
          end = i;
        } else if (code === 0x5c /* '\' */) {
          isEscaping = true;
        } else {
          throw new SyntaxError(`Unexpected character at index ${i}`);
        }
      } else if (code === 0x22 && header.charCodeAt(i - 1) === 0x3d) {
        inQuotes = true;
      } else if (end === -1 && tokenChars[code] === 1) {
        if (start === -1) start = i;
      } else if (start !== -1 && (code === 0x20 || code === 0x09)) {
        if (end === -1) end = i;
      } else if (code === 0x3b || code === 0x2c) {
        if (start === -1) {
          throw new SyntaxError(`Unexpected character at index ${i}`);
        }

        if (end === -1) end = i;
        let value = header.slice(start, end);
        if (mustUnescape) {
          value = value.replace(/\\/g, '');
          mustUnescape = false;
        }
        push(params, paramName, value);
        if (code === 0x2c) {
          push(offers, extensionName, params);
          params = Object.create(null);
          extensionName = undefined;
        }

        paramName = undefined;
        start = end = -1;
      } else {
        throw new SyntaxError(`Unexpected character at index ${i}`);
      }
    }
  }

  if (start === -1 || inQuotes || code === 0x20 || code === 0x09) {
    throw new SyntaxError('Unexpected end of input');
  }

  if (end === -1) end = i;
  const token = header.slice(start, end);
  if (extensionName === undefined) {
    push(offers, token, params);
  } else {
    if (paramName === undefined) {
      push(params, token, true);
    } else if (mustUnescape) {
      push(params, paramName, token.replace(/\\/g, ''));
    } else {
      push(params, paramName, token);
    }
    push(offers, extensionName, params);
  }

  return offers;
}

/**
 * Builds the `Sec-WebSocket-Extensions` header field value.
 *
 * @param {Object} extensions The map of extensions and parameters to format
 * @return {String} A string representing the given object
 * @public
 */
function format(extensions) {
  return Object.keys(extensions)
    .map((extension) => {
      let configurations = extensions[extension];
      if (!Array.isArray(configurations)) configurations = [configurations];
      return configurations
        .map((params) => {
          return [extension]
            .concat(
              Object.keys(params).map((k) => {
                let values = params[k];
                if (!Array.isArray(values)) values = [values];
                return values
                  .map((v) => (v === true ? k : `${k}=${v}`))
                  .join('; ');
              })
            )
            .join('; ');
        })
        .join(', ');
    })
    .join(', ');
}

module.exports = { format, parse };


/***/ }),

/***/ 958:
/***/ ((module) => {



const kDone = Symbol('kDone');
const kRun = Symbol('kRun');

/**
 * A very simple job queue with adjustable concurrency. Adapted from
 * https://github.com/STRML/async-limiter
 */
class Limiter {
  /**
   * Creates a new `Limiter`.
   *
   * @param {Number} [concurrency=Infinity] The maximum number of jobs allowed
   *     to run concurrently
   */
  constructor(concurrency) {
    this[kDone] = () => {
      this.pending--;
      this[kRun]();
    };
    this.concurrency = concurrency || Infinity;
    this.jobs = [];
    this.pending = 0;
  }

  /**
   * Adds a job to the queue.
   *
   * @param {Function} job The job to run
   * @public
   */
  add(job) {
    this.jobs.push(job);
    this[kRun]();
  }

  /**
   * Removes a job from the queue and runs it if possible.
   *
   * @private
   */
  [kRun]() {
    if (this.pending === this.concurrency) return;

    if (this.jobs.length) {
      const job = this.jobs.shift();

      this.pending++;
      job(this[kDone]);
    }
  }
}

module.exports = Limiter;


/***/ }),

/***/ 4376:
/***/ ((module, __unused_webpack_exports, __nccwpck_require__) => {



const zlib = __nccwpck_require__(3106);

const bufferUtil = __nccwpck_require__(5803);
const Limiter = __nccwpck_require__(958);
const { kStatusCode } = __nccwpck_require__(1791);

const FastBuffer = Buffer[Symbol.species];
const TRAILER = Buffer.from([0x00, 0x00, 0xff, 0xff]);
const kPerMessageDeflate = Symbol('permessage-deflate');
const kTotalLength = Symbol('total-length');
const kCallback = Symbol('callback');
const kBuffers = Symbol('buffers');
const kError = Symbol('error');

//
// We limit zlib concurrency, which prevents severe memory fragmentation
// as documented in https://github.com/nodejs/node/issues/8871#issuecomment-250915913
// and https://github.com/websockets/ws/issues/1202
//
// Intentionally global; it's the global thread pool that's an issue.
//
let zlibLimiter;

/**
 * permessage-deflate implementation.
 */
class PerMessageDeflate {
  /**
   * Creates a PerMessageDeflate instance.
   *
   * @param {Object} [options] Configuration options
   * @param {(Boolean|Number)} [options.clientMaxWindowBits] Advertise support
   *     for, or request, a custom client window size
   * @param {Boolean} [options.clientNoContextTakeover=false] Advertise/
   *     acknowledge disabling of client context takeover
   * @param {Number} [options.concurrencyLimit=10] The number of concurrent
   *     calls to zlib
   * @param {Boolean} [options.isServer=false] Create the instance in either
   *     server or client mode
   * @param {Number} [options.maxPayload=0] The maximum allowed message length
   * @param {(Boolean|Number)} [options.serverMaxWindowBits] Request/confirm the
   *     use of a custom server window size
   * @param {Boolean} [options.serverNoContextTakeover=false] Request/accept
   *     disabling of server context takeover
   * @param {Number} [options.threshold=1024] Size (in bytes) below which
   *     messages should not be compressed if context takeover is disabled
   * @param {Object} [options.zlibDeflateOptions] Options to pass to zlib on
   *     deflate
   * @param {Object} [options.zlibInflateOptions] Options to pass to zlib on
   *     inflate
   */
  constructor(options) {
    this._options = options || {};
    this._threshold =
      this._options.threshold !== undefined ? this._options.threshold : 1024;
    this._maxPayload = this._options.maxPayload | 0;
    this._isServer = !!this._options.isServer;
    this._deflate = null;
    this._inflate = null;

    this.params = null;

    if (!zlibLimiter) {
      const concurrency =
        this._options.concurrencyLimit !== undefined
          ? this._options.concurrencyLimit
          : 10;
      zlibLimiter = new Limiter(concurrency);
    }
  }

  /**
   * @type {String}
   */
  static get extensionName() {
    return 'permessage-deflate';
  }

  /**
   * Create an extension negotiation offer.
   *
   * @return {Object} Extension parameters
   * @public
   */
  offer() {
    const params = {};

    if (this._options.serverNoContextTakeover) {
      params.server_no_context_takeover = true;
    }
    if (this._options.clientNoContextTakeover) {
      params.client_no_context_takeover = true;
    }
    if (this._options.serverMaxWindowBits) {
      params.server_max_window_bits = this._options.serverMaxWindowBits;
    }
    if (this._options.clientMaxWindowBits) {
      params.client_max_window_bits = this._options.clientMaxWindowBits;
    } else if (this._options.clientMaxWindowBits == null) {
      params.client_max_window_bits = true;
    }

    return params;
  }

  /**
   * Accept an extension negotiation offer/response.
   *
   * @param {Array} configurations The extension negotiation offers/reponse
   * @return {Object} Accepted configuration
   * @public
   */
  accept(configurations) {
    configurations = this.normalizeParams(configurations);

    this.params = this._isServer
      ? this.acceptAsServer(configurations)
      : this.acceptAsClient(configurations);

    return this.params;
  }

  /**
   * Releases all resources used by the extension.
   *
   * @public
   */
  cleanup() {
    if (this._inflate) {
      this._inflate.close();
      this._inflate = null;
    }

    if (this._deflate) {
      const callback = this._deflate[kCallback];

      this._deflate.close();
      this._deflate = null;

      if (callback) {
        callback(
          new Error(
            'The deflate stream was closed while data was being processed'
          )
        );
      }
    }
  }

  /**
   *  Accept an extension negotiation offer.
   *
   * @param {Array} offers The extension negotiation offers
   * @return {Object} Accepted configuration
   * @private
   */
  acceptAsServer(offers) {
    const opts = this._options;
    const accepted = offers.find((params) => {
      if (
        (opts.serverNoContextTakeover === false &&
          params.server_no_context_takeover) ||
        (params.server_max_window_bits &&
          (opts.serverMaxWindowBits === false ||
            (typeof opts.serverMaxWindowBits === 'number' &&
              opts.serverMaxWindowBits > params.server_max_window_bits))) ||
        (typeof opts.clientMaxWindowBits === 'number' &&
          (typeof params.client_max_window_bits === 'number'
            ? opts.clientMaxWindowBits > params.client_max_window_bits
            : !params.client_max_window_bits))
      ) {
        return false;
      }

      return true;
    });

    if (!accepted) {
      throw new Error('None of the extension offers can be accepted');
    }

    if (opts.serverNoContextTakeover) {
      accepted.server_no_context_takeover = true;
    }
    if (opts.clientNoContextTakeover) {
      accepted.client_no_context_takeover = true;
    }
    if (typeof opts.serverMaxWindowBits === 'number') {
      accepted.server_max_window_bits = opts.serverMaxWindowBits;
    }
    if (typeof opts.clientMaxWindowBits === 'number') {
      accepted.client_max_window_bits = opts.clientMaxWindowBits;
    } else if (
      accepted.client_max_window_bits === true ||
      opts.clientMaxWindowBits === false
    ) {
      delete accepted.client_max_window_bits;
    }

    return accepted;
  }

  /**
   * Accept the extension negotiation response.
   *
   * @param {Array} response The extension negotiation response
   * @return {Object} Accepted configuration
   * @private
   */
  acceptAsClient(response) {
    const params = response[0];

    if (
      this._options.clientNoContextTakeover === false &&
      params.client_no_context_takeover
    ) {
      throw new Error('Unexpected parameter "client_no_context_takeover"');
    }

    if (!params.client_max_window_bits) {
      if (typeof this._options.clientMaxWindowBits === 'number') {
        params.client_max_window_bits = this._options.clientMaxWindowBits;
      }
    } else if (
      this._options.clientMaxWindowBits === false ||
      (typeof this._options.clientMaxWindowBits === 'number' &&
        params.client_max_window_bits > this._options.clientMaxWindowBits)
    ) {
      throw new Error(
        'Unexpected or invalid parameter "client_max_window_bits"'
      );
    }

    return params;
  }

  /**
   * Normalize parameters.
   *
   * @param {Array} configurations The extension negotiation offers/reponse
   * @return {Array} The offers/response with normalized parameters
   * @private
   */
  normalizeParams(configurations) {
    configurations.forEach((params) => {
      Object.keys(params).forEach((key) => {
        let value = params[key];

        if (value.length > 1) {
          throw new Error(`Parameter "${key}" must have only a single value`);
        }

        value = value[0];

        if (key === 'client_max_window_bits') {
          if (value !== true) {
            const num = +value;
            if (!Number.isInteger(num) || num < 8 || num > 15) {
              throw new TypeError(
                `Invalid value for parameter "${key}": ${value}`
              );
            }
            value = num;
          } else if (!this._isServer) {
            throw new TypeError(
              `Invalid value for parameter "${key}": ${value}`
            );
          }
        } else if (key === 'server_max_window_bits') {
          const num = +value;
          if (!Number.isInteger(num) || num < 8 || num > 15) {
            throw new TypeError(
              `Invalid value for parameter "${key}": ${value}`
            );
          }
          value = num;
        } else if (
          key === 'client_no_context_takeover' ||
          key === 'server_no_context_takeover'
        ) {
          if (value !== true) {
            throw new TypeError(
              `Invalid value for parameter "${key}": ${value}`
            );
          }
        } else {
          throw new Error(`Unknown parameter "${key}"`);
        }

        params[key] = value;
      });
    });

    return configurations;
  }

  /**
   * Decompress data. Concurrency limited.
   *
   * @param {Buffer} data Compressed data
   * @param {Boolean} fin Specifies whether or not this is the last fragment
   * @param {Function} callback Callback
   * @public
   */
  decompress(data, fin, callback) {
    zlibLimiter.add((done) => {
      this._decompress(data, fin, (err, result) => {
        done();
        callback(err, result);
      });
    });
  }

  /**
   * Compress data. Concurrency limited.
   *
   * @param {(Buffer|String)} data Data to compress
   * @param {Boolean} fin Specifies whether or not this is the last fragment
   * @param {Function} callback Callback
   * @public
   */
  compress(data, fin, callback) {
    zlibLimiter.add((done) => {
      this._compress(data, fin, (err, result) => {
        done();
        callback(err, result);
      });
    });
  }

  /**
   * Decompress data.
   *
   * @param {Buffer} data Compressed data
   * @param {Boolean} fin Specifies whether or not this is the last fragment
   * @param {Function} callback Callback
   * @private
   */
  _decompress(data, fin, callback) {
    const endpoint = this._isServer ? 'client' : 'server';

    if (!this._inflate) {
      const key = `${endpoint}_max_window_bits`;
      const windowBits =
        typeof this.params[key] !== 'number'
          ? zlib.Z_DEFAULT_WINDOWBITS
          : this.params[key];

      this._inflate = zlib.createInflateRaw({
        ...this._options.zlibInflateOptions,
        windowBits
      });
      this._inflate[kPerMessageDeflate] = this;
      this._inflate[kTotalLength] = 0;
      this._inflate[kBuffers] = [];
      this._inflate.on('error', inflateOnError);
      this._inflate.on('data', inflateOnData);
    }

    this._inflate[kCallback] = callback;

    this._inflate.write(data);
    if (fin) this._inflate.write(TRAILER);

    this._inflate.flush(() => {
      const err = this._inflate[kError];

      if (err) {
        this._inflate.close();
        this._inflate = null;
        callback(err);
        return;
      }

      const data = bufferUtil.concat(
        this._inflate[kBuffers],
        this._inflate[kTotalLength]
      );

      if (this._inflate._readableState.endEmitted) {
        this._inflate.close();
        this._inflate = null;
      } else {
        this._inflate[kTotalLength] = 0;
        this._inflate[kBuffers] = [];

        if (fin && this.params[`${endpoint}_no_context_takeover`]) {
          this._inflate.reset();
        }
      }

      callback(null, data);
    });
  }

  /**
   * Compress data.
   *
   * @param {(Buffer|String)} data Data to compress
   * @param {Boolean} fin Specifies whether or not this is the last fragment
   * @param {Function} callback Callback
   * @private
   */
  _compress(data, fin, callback) {
    const endpoint = this._isServer ? 'server' : 'client';

    if (!this._deflate) {
      const key = `${endpoint}_max_window_bits`;
      const windowBits =
        typeof this.params[key] !== 'number'
          ? zlib.Z_DEFAULT_WINDOWBITS
          : this.params[key];

      this._deflate = zlib.createDeflateRaw({
        ...this._options.zlibDeflateOptions,
        windowBits
      });

      this._deflate[kTotalLength] = 0;
      this._deflate[kBuffers] = [];

      this._deflate.on('data', deflateOnData);
    }

    this._deflate[kCallback] = callback;

    this._deflate.write(data);
    this._deflate.flush(zlib.Z_SYNC_FLUSH, () => {
      if (!this._deflate) {
        //
        // The deflate stream was closed while data was being processed.
        //
        return;
      }

      let data = bufferUtil.concat(
        this._deflate[kBuffers],
        this._deflate[kTotalLength]
      );

      if (fin) {
        data = new FastBuffer(data.buffer, data.byteOffset, data.length - 4);
      }

      //
      // Ensure that the callback will not be called again in
      // `PerMessageDeflate#cleanup()`.
      //
      this._deflate[kCallback] = null;

      this._deflate[kTotalLength] = 0;
      this._deflate[kBuffers] = [];

      if (fin && this.params[`${endpoint}_no_context_takeover`]) {
        this._deflate.reset();
      }

      callback(null, data);
    });
  }
}

module.exports = PerMessageDeflate;

/**
 * The listener of the `zlib.DeflateRaw` stream `'data'` event.
 *
 * @param {Buffer} chunk A chunk of data
 * @private
 */
function deflateOnData(chunk) {
  this[kBuffers].push(chunk);
  this[kTotalLength] += chunk.length;
}

/**
 * The listener of the `zlib.InflateRaw` stream `'data'` event.
 *
 * @param {Buffer} chunk A chunk of data
 * @private
 */
function inflateOnData(chunk) {
  this[kTotalLength] += chunk.length;

  if (
    this[kPerMessageDeflate]._maxPayload < 1 ||
    this[kTotalLength] <= this[kPerMessageDeflate]._maxPayload
  ) {
    this[kBuffers].push(chunk);
    return;
  }

  this[kError] = new RangeError('Max payload size exceeded');
  this[kError].code = 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH';
  this[kError][kStatusCode] = 1009;
  this.removeListener('data', inflateOnData);

  //
  // The choice to employ `zlib.reset()` over `zlib.close()` is dictated by the
  // fact that in Node.js versions prior to 13.10.0, the callback for
  // `zlib.flush()` is not called if `zlib.close()` is used. Utilizing
  // `zlib.reset()` ensures that either the callback is invoked or an error is
  // emitted.
  //
  this.reset();
}

/**
 * The listener of the `zlib.InflateRaw` stream `'error'` event.
 *
 * @param {Error} err The emitted error
 * @private
 */
function inflateOnError(err) {
  //
  // There is no need to call `Zlib#close()` as the handle is automatically
  // closed when an error is emitted.
  //
  this[kPerMessageDeflate]._inflate = null;

  if (this[kError]) {
    this[kCallback](this[kError]);
    return;
  }

  err[kStatusCode] = 1007;
  this[kCallback](err);
}


/***/ }),

/***/ 893:
/***/ ((module, __unused_webpack_exports, __nccwpck_require__) => {



const { Writable } = __nccwpck_require__(2203);

const PerMessageDeflate = __nccwpck_require__(4376);
const {
  BINARY_TYPES,
  EMPTY_BUFFER,
  kStatusCode,
  kWebSocket
} = __nccwpck_require__(1791);
const { concat, toArrayBuffer, unmask } = __nccwpck_require__(5803);
const { isValidStatusCode, isValidUTF8 } = __nccwpck_require__(6615);

const FastBuffer = Buffer[Symbol.species];

const GET_INFO = 0;
const GET_PAYLOAD_LENGTH_16 = 1;
const GET_PAYLOAD_LENGTH_64 = 2;
const GET_MASK = 3;
const GET_DATA = 4;
const INFLATING = 5;
const DEFER_EVENT = 6;

/**
 * HyBi Receiver implementation.
 *
 * @extends Writable
 */
class Receiver extends Writable {
  /**
   * Creates a Receiver instance.
   *
   * @param {Object} [options] Options object
   * @param {Boolean} [options.allowSynchronousEvents=true] Specifies whether
   *     any of the `'message'`, `'ping'`, and `'pong'` events can be emitted
   *     multiple times in the same tick
   * @param {String} [options.binaryType=nodebuffer] The type for binary data
   * @param {Object} [options.extensions] An object containing the negotiated
   *     extensions
   * @param {Boolean} [options.isServer=false] Specifies whether to operate in
   *     client or server mode
   * @param {Number} [options.maxBufferedChunks=0] The maximum number of
   *     buffered data chunks
   * @param {Number} [options.maxFragments=0] The maximum number of message
   *     fragments
   * @param {Number} [options.maxPayload=0] The maximum allowed message length
   * @param {Boolean} [options.skipUTF8Validation=false] Specifies whether or
   *     not to skip UTF-8 validation for text and close messages
   */
  constructor(options = {}) {
    super();

    this._allowSynchronousEvents =
      options.allowSynchronousEvents !== undefined
        ? options.allowSynchronousEvents
        : true;
    this._binaryType = options.binaryType || BINARY_TYPES[0];
    this._extensions = options.extensions || {};
    this._isServer = !!options.isServer;
    this._maxBufferedChunks = options.maxBufferedChunks | 0;
    this._maxFragments = options.maxFragments | 0;
    this._maxPayload = options.maxPayload | 0;
    this._skipUTF8Validation = !!options.skipUTF8Validation;
    this[kWebSocket] = undefined;

    this._bufferedBytes = 0;
    this._buffers = [];

    this._compressed = false;
    this._payloadLength = 0;
    this._mask = undefined;
    this._fragmented = 0;
    this._masked = false;
    this._fin = false;
    this._opcode = 0;

    this._totalPayloadLength = 0;
    this._messageLength = 0;
    this._numFragments = 0;
    this._fragments = [];

    this._errored = false;
    this._loop = false;
    this._state = GET_INFO;
  }

  /**
   * Implements `Writable.prototype._write()`.
   *
   * @param {Buffer} chunk The chunk of data to write
   * @param {String} encoding The character encoding of `chunk`
   * @param {Function} cb Callback
   * @private
   */
  _write(chunk, encoding, cb) {
    if (this._opcode === 0x08 && this._state == GET_INFO) return cb();

    if (
      this._maxBufferedChunks > 0 &&
      this._buffers.length >= this._maxBufferedChunks
    ) {
      cb(
        this.createError(
          RangeError,
          'Too many buffered chunks',
          false,
          1008,
          'WS_ERR_TOO_MANY_BUFFERED_PARTS'
        )
      );
      return;
    }

    this._bufferedBytes += chunk.length;
    this._buffers.push(chunk);
    this.startLoop(cb);
  }

  /**
   * Consumes `n` bytes from the buffered data.
   *
   * @param {Number} n The number of bytes to consume
   * @return {Buffer} The consumed bytes
   * @private
   */
  consume(n) {
    this._bufferedBytes -= n;

    if (n === this._buffers[0].length) return this._buffers.shift();

    if (n < this._buffers[0].length) {
      const buf = this._buffers[0];
      this._buffers[0] = new FastBuffer(
        buf.buffer,
        buf.byteOffset + n,
        buf.length - n
      );

      return new FastBuffer(buf.buffer, buf.byteOffset, n);
    }

    const dst = Buffer.allocUnsafe(n);

    do {
      const buf = this._buffers[0];
      const offset = dst.length - n;

      if (n >= buf.length) {
        dst.set(this._buffers.shift(), offset);
      } else {
        dst.set(new Uint8Array(buf.buffer, buf.byteOffset, n), offset);
        this._buffers[0] = new FastBuffer(
          buf.buffer,
          buf.byteOffset + n,
          buf.length - n
        );
      }

      n -= buf.length;
    } while (n > 0);

    return dst;
  }

  /**
   * Starts the parsing loop.
   *
   * @param {Function} cb Callback
   * @private
   */
  startLoop(cb) {
    this._loop = true;

    do {
      switch (this._state) {
        case GET_INFO:
          this.getInfo(cb);
          break;
        case GET_PAYLOAD_LENGTH_16:
          this.getPayloadLength16(cb);
          break;
        case GET_PAYLOAD_LENGTH_64:
          this.getPayloadLength64(cb);
          break;
        case GET_MASK:
          this.getMask();
          break;
        case GET_DATA:
          this.getData(cb);
          break;
        case INFLATING:
        case DEFER_EVENT:
          this._loop = false;
          return;
      }
    } while (this._loop);

    if (!this._errored) cb();
  }

  /**
   * Reads the first two bytes of a frame.
   *
   * @param {Function} cb Callback
   * @private
   */
  getInfo(cb) {
    if (this._bufferedBytes < 2) {
      this._loop = false;
      return;
    }

    const buf = this.consume(2);

    if ((buf[0] & 0x30) !== 0x00) {
      const error = this.createError(
        RangeError,
        'RSV2 and RSV3 must be clear',
        true,
        1002,
        'WS_ERR_UNEXPECTED_RSV_2_3'
      );

      cb(error);
      return;
    }

    const compressed = (buf[0] & 0x40) === 0x40;

    if (compressed && !this._extensions[PerMessageDeflate.extensionName]) {
      const error = this.createError(
        RangeError,
        'RSV1 must be clear',
        true,
        1002,
        'WS_ERR_UNEXPECTED_RSV_1'
      );

      cb(error);
      return;
    }

    this._fin = (buf[0] & 0x80) === 0x80;
    this._opcode = buf[0] & 0x0f;
    this._payloadLength = buf[1] & 0x7f;

    if (this._opcode === 0x00) {
      if (compressed) {
        const error = this.createError(
          RangeError,
          'RSV1 must be clear',
          true,
          1002,
          'WS_ERR_UNEXPECTED_RSV_1'
        );

        cb(error);
        return;
      }

      if (!this._fragmented) {
        const error = this.createError(
          RangeError,
          'invalid opcode 0',
          true,
          1002,
          'WS_ERR_INVALID_OPCODE'
        );

        cb(error);
        return;
      }

      this._opcode = this._fragmented;
    } else if (this._opcode === 0x01 || this._opcode === 0x02) {
      if (this._fragmented) {
        const error = this.createError(
          RangeError,
          `invalid opcode ${this._opcode}`,
          true,
          1002,
          'WS_ERR_INVALID_OPCODE'
        );

        cb(error);
        return;
      }

      this._compressed = compressed;
    } else if (this._opcode > 0x07 && this._opcode < 0x0b) {
      if (!this._fin) {
        const error = this.createError(
          RangeError,
          'FIN must be set',
          true,
          1002,
          'WS_ERR_EXPECTED_FIN'
        );

        cb(error);
        return;
      }

      if (compressed) {
        const error = this.createError(
          RangeError,
          'RSV1 must be clear',
          true,
          1002,
          'WS_ERR_UNEXPECTED_RSV_1'
        );

        cb(error);
        return;
      }

      if (
        this._payloadLength > 0x7d ||
        (this._opcode === 0x08 && this._payloadLength === 1)
      ) {
        const error = this.createError(
          RangeError,
          `invalid payload length ${this._payloadLength}`,
          true,
          1002,
          'WS_ERR_INVALID_CONTROL_PAYLOAD_LENGTH'
        );

        cb(error);
        return;
      }
    } else {
      const error = this.createError(
        RangeError,
        `invalid opcode ${this._opcode}`,
        true,
        1002,
        'WS_ERR_INVALID_OPCODE'
      );

      cb(error);
      return;
    }

    if (!this._fin && !this._fragmented) this._fragmented = this._opcode;
    this._masked = (buf[1] & 0x80) === 0x80;

    if (this._isServer) {
      if (!this._masked) {
        const error = this.createError(
          RangeError,
          'MASK must be set',
          true,
          1002,
          'WS_ERR_EXPECTED_MASK'
        );

        cb(error);
        return;
      }
    } else if (this._masked) {
      const error = this.createError(
        RangeError,
        'MASK must be clear',
        true,
        1002,
        'WS_ERR_UNEXPECTED_MASK'
      );

      cb(error);
      return;
    }

    if (this._payloadLength === 126) this._state = GET_PAYLOAD_LENGTH_16;
    else if (this._payloadLength === 127) this._state = GET_PAYLOAD_LENGTH_64;
    else this.haveLength(cb);
  }

  /**
   * Gets extended payload length (7+16).
   *
   * @param {Function} cb Callback
   * @private
   */
  getPayloadLength16(cb) {
    if (this._bufferedBytes < 2) {
      this._loop = false;
      return;
    }

    this._payloadLength = this.consume(2).readUInt16BE(0);
    this.haveLength(cb);
  }

  /**
   * Gets extended payload length (7+64).
   *
   * @param {Function} cb Callback
   * @private
   */
  getPayloadLength64(cb) {
    if (this._bufferedBytes < 8) {
      this._loop = false;
      return;
    }

    const buf = this.consume(8);
    const num = buf.readUInt32BE(0);

    //
    // The maximum safe integer in JavaScript is 2^53 - 1. An error is returned
    // if payload length is greater than this number.
    //
    if (num > Math.pow(2, 53 - 32) - 1) {
      const error = this.createError(
        RangeError,
        'Unsupported WebSocket frame: payload length > 2^53 - 1',
        false,
        1009,
        'WS_ERR_UNSUPPORTED_DATA_PAYLOAD_LENGTH'
      );

      cb(error);
      return;
    }

    this._payloadLength = num * Math.pow(2, 32) + buf.readUInt32BE(4);
    this.haveLength(cb);
  }

  /**
   * Payload length has been read.
   *
   * @param {Function} cb Callback
   * @private
   */
  haveLength(cb) {
    if (this._payloadLength && this._opcode < 0x08) {
      this._totalPayloadLength += this._payloadLength;
      if (this._totalPayloadLength > this._maxPayload && this._maxPayload > 0) {
        const error = this.createError(
          RangeError,
          'Max payload size exceeded',
          false,
          1009,
          'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH'
        );

        cb(error);
        return;
      }
    }

    if (this._masked) this._state = GET_MASK;
    else this._state = GET_DATA;
  }

  /**
   * Reads mask bytes.
   *
   * @private
   */
  getMask() {
    if (this._bufferedBytes < 4) {
      this._loop = false;
      return;
    }

    this._mask = this.consume(4);
    this._state = GET_DATA;
  }

  /**
   * Reads data bytes.
   *
   * @param {Function} cb Callback
   * @private
   */
  getData(cb) {
    let data = EMPTY_BUFFER;

    if (this._payloadLength) {
      if (this._bufferedBytes < this._payloadLength) {
        this._loop = false;
        return;
      }

      data = this.consume(this._payloadLength);

      if (
        this._masked &&
        (this._mask[0] | this._mask[1] | this._mask[2] | this._mask[3]) !== 0
      ) {
        unmask(data, this._mask);
      }
    }

    //
    // The mask is a view into the buffer the stream delivered, which is commonly
    // 64 KiB, and it is not needed once the payload above has been unmasked.
    // Leaving it set would pin that whole buffer until the next frame arrives,
    // which on an idle connection can be indefinitely.
    //
    this._mask = undefined;

    if (this._opcode > 0x07) {
      this.controlMessage(data, cb);
      return;
    }

    if (this._maxFragments > 0 && ++this._numFragments > this._maxFragments) {
      const error = this.createError(
        RangeError,
        'Too many message fragments',
        false,
        1008,
        'WS_ERR_TOO_MANY_BUFFERED_PARTS'
      );

      cb(error);
      return;
    }

    if (this._compressed) {
      this._state = INFLATING;
      this.decompress(data, cb);
      return;
    }

    if (data.length) {
      //
      // This message is not compressed so its length is the sum of the payload
      // length of all fragments.
      //
      this._messageLength = this._totalPayloadLength;
      this._fragments.push(data);
    }

    this.dataMessage(cb);
  }

  /**
   * Decompresses data.
   *
   * @param {Buffer} data Compressed data
   * @param {Function} cb Callback
   * @private
   */
  decompress(data, cb) {
    const perMessageDeflate = this._extensions[PerMessageDeflate.extensionName];

    perMessageDeflate.decompress(data, this._fin, (err, buf) => {
      if (err) return cb(err);

      if (buf.length) {
        this._messageLength += buf.length;
        if (this._messageLength > this._maxPayload && this._maxPayload > 0) {
          const error = this.createError(
            RangeError,
            'Max payload size exceeded',
            false,
            1009,
            'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH'
          );

          cb(error);
          return;
        }

        this._fragments.push(buf);
      }

      this.dataMessage(cb);
      if (this._state === GET_INFO) this.startLoop(cb);
    });
  }

  /**
   * Handles a data message.
   *
   * @param {Function} cb Callback
   * @private
   */
  dataMessage(cb) {
    if (!this._fin) {
      this._state = GET_INFO;
      return;
    }

    const messageLength = this._messageLength;
    const fragments = this._fragments;

    this._totalPayloadLength = 0;
    this._messageLength = 0;
    this._fragmented = 0;
    this._numFragments = 0;
    this._fragments = [];

    if (this._opcode === 2) {
      let data;

      if (this._binaryType === 'nodebuffer') {
        data = concat(fragments, messageLength);
      } else if (this._binaryType === 'arraybuffer') {
        data = toArrayBuffer(concat(fragments, messageLength));
      } else if (this._binaryType === 'blob') {
        data = new Blob(fragments);
      } else {
        data = fragments;
      }

      if (this._allowSynchronousEvents) {
        this.emit('message', data, true);
        this._state = GET_INFO;
      } else {
        this._state = DEFER_EVENT;
        setImmediate(() => {
          this.emit('message', data, true);
          this._state = GET_INFO;
          this.startLoop(cb);
        });
      }
    } else {
      const buf = concat(fragments, messageLength);

      if (!this._skipUTF8Validation && !isValidUTF8(buf)) {
        const error = this.createError(
          Error,
          'invalid UTF-8 sequence',
          true,
          1007,
          'WS_ERR_INVALID_UTF8'
        );

        cb(error);
        return;
      }

      if (this._state === INFLATING || this._allowSynchronousEvents) {
        this.emit('message', buf, false);
        this._state = GET_INFO;
      } else {
        this._state = DEFER_EVENT;
        setImmediate(() => {
          this.emit('message', buf, false);
          this._state = GET_INFO;
          this.startLoop(cb);
        });
      }
    }
  }

  /**
   * Handles a control message.
   *
   * @param {Buffer} data Data to handle
   * @return {(Error|RangeError|undefined)} A possible error
   * @private
   */
  controlMessage(data, cb) {
    if (this._opcode === 0x08) {
      if (data.length === 0) {
        this._loop = false;
        this.emit('conclude', 1005, EMPTY_BUFFER);
        this.end();
      } else {
        const code = data.readUInt16BE(0);

        if (!isValidStatusCode(code)) {
          const error = this.createError(
            RangeError,
            `invalid status code ${code}`,
            true,
            1002,
            'WS_ERR_INVALID_CLOSE_CODE'
          );

          cb(error);
          return;
        }

        const buf = new FastBuffer(
          data.buffer,
          data.byteOffset + 2,
          data.length - 2
        );

        if (!this._skipUTF8Validation && !isValidUTF8(buf)) {
          const error = this.createError(
            Error,
            'invalid UTF-8 sequence',
            true,
            1007,
            'WS_ERR_INVALID_UTF8'
          );

          cb(error);
          return;
        }

        this._loop = false;
        this.emit('conclude', code, buf);
        this.end();
      }

      this._state = GET_INFO;
      return;
    }

    if (this._allowSynchronousEvents) {
      this.emit(this._opcode === 0x09 ? 'ping' : 'pong', data);
      this._state = GET_INFO;
    } else {
      this._state = DEFER_EVENT;
      setImmediate(() => {
        this.emit(this._opcode === 0x09 ? 'ping' : 'pong', data);
        this._state = GET_INFO;
        this.startLoop(cb);
      });
    }
  }

  /**
   * Builds an error object.
   *
   * @param {function(new:Error|RangeError)} ErrorCtor The error constructor
   * @param {String} message The error message
   * @param {Boolean} prefix Specifies whether or not to add a default prefix to
   *     `message`
   * @param {Number} statusCode The status code
   * @param {String} errorCode The exposed error code
   * @return {(Error|RangeError)} The error
   * @private
   */
  createError(ErrorCtor, message, prefix, statusCode, errorCode) {
    this._loop = false;
    this._errored = true;

    const err = new ErrorCtor(
      prefix ? `Invalid WebSocket frame: ${message}` : message
    );

    Error.captureStackTrace(err, this.createError);
    err.code = errorCode;
    err[kStatusCode] = statusCode;
    return err;
  }
}

module.exports = Receiver;


/***/ }),

/***/ 7389:
/***/ ((module, __unused_webpack_exports, __nccwpck_require__) => {

/* eslint no-unused-vars: ["error", { "varsIgnorePattern": "^Duplex" }] */



const { Duplex } = __nccwpck_require__(2203);
const { randomFillSync } = __nccwpck_require__(6982);
const {
  types: { isUint8Array }
} = __nccwpck_require__(9023);

const PerMessageDeflate = __nccwpck_require__(4376);
const { EMPTY_BUFFER, kWebSocket, NOOP } = __nccwpck_require__(1791);
const { isBlob, isValidStatusCode } = __nccwpck_require__(6615);
const { mask: applyMask, toBuffer } = __nccwpck_require__(5803);

const kByteLength = Symbol('kByteLength');
const maskBuffer = Buffer.alloc(4);
const RANDOM_POOL_SIZE = 8 * 1024;
let randomPool;
let randomPoolPointer = RANDOM_POOL_SIZE;

const DEFAULT = 0;
const DEFLATING = 1;
const GET_BLOB_DATA = 2;

/**
 * HyBi Sender implementation.
 */
class Sender {
  /**
   * Creates a Sender instance.
   *
   * @param {Duplex} socket The connection socket
   * @param {Object} [extensions] An object containing the negotiated extensions
   * @param {Function} [generateMask] The function used to generate the masking
   *     key
   */
  constructor(socket, extensions, generateMask) {
    this._extensions = extensions || {};

    if (generateMask) {
      this._generateMask = generateMask;
      this._maskBuffer = Buffer.alloc(4);
    }

    this._socket = socket;

    this._firstFragment = true;
    this._compress = false;

    this._bufferedBytes = 0;
    this._queue = [];
    this._state = DEFAULT;
    this.onerror = NOOP;
    this[kWebSocket] = undefined;
  }

  /**
   * Frames a piece of data according to the HyBi WebSocket protocol.
   *
   * @param {(Buffer|String)} data The data to frame
   * @param {Object} options Options object
   * @param {Boolean} [options.fin=false] Specifies whether or not to set the
   *     FIN bit
   * @param {Function} [options.generateMask] The function used to generate the
   *     masking key
   * @param {Boolean} [options.mask=false] Specifies whether or not to mask
   *     `data`
   * @param {Buffer} [options.maskBuffer] The buffer used to store the masking
   *     key
   * @param {Number} options.opcode The opcode
   * @param {Boolean} [options.readOnly=false] Specifies whether `data` can be
   *     modified
   * @param {Boolean} [options.rsv1=false] Specifies whether or not to set the
   *     RSV1 bit
   * @return {(Buffer|String)[]} The framed data
   * @public
   */
  static frame(data, options) {
    let mask;
    let merge = false;
    let offset = 2;
    let skipMasking = false;

    if (options.mask) {
      mask = options.maskBuffer || maskBuffer;

      if (options.generateMask) {
        options.generateMask(mask);
      } else {
        if (randomPoolPointer === RANDOM_POOL_SIZE) {
          /* istanbul ignore else  */
          if (randomPool === undefined) {
            //
            // This is lazily initialized because server-sent frames must not
            // be masked so it may never be used.
            //
            randomPool = Buffer.alloc(RANDOM_POOL_SIZE);
          }

          randomFillSync(randomPool, 0, RANDOM_POOL_SIZE);
          randomPoolPointer = 0;
        }

        mask[0] = randomPool[randomPoolPointer++];
        mask[1] = randomPool[randomPoolPointer++];
        mask[2] = randomPool[randomPoolPointer++];
        mask[3] = randomPool[randomPoolPointer++];
      }

      skipMasking = (mask[0] | mask[1] | mask[2] | mask[3]) === 0;
      offset = 6;
    }

    let dataLength;

    if (typeof data === 'string') {
      if (
        (!options.mask || skipMasking) &&
        options[kByteLength] !== undefined
      ) {
        dataLength = options[kByteLength];
      } else {
        data = Buffer.from(data);
        dataLength = data.length;
      }
    } else {
      dataLength = data.length;
      merge = options.mask && options.readOnly && !skipMasking;
    }

    let payloadLength = dataLength;

    if (dataLength >= 65536) {
      offset += 8;
      payloadLength = 127;
    } else if (dataLength > 125) {
      offset += 2;
      payloadLength = 126;
    }

    const target = Buffer.allocUnsafe(merge ? dataLength + offset : offset);

    target[0] = options.fin ? options.opcode | 0x80 : options.opcode;
    if (options.rsv1) target[0] |= 0x40;

    target[1] = payloadLength;

    if (payloadLength === 126) {
      target.writeUInt16BE(dataLength, 2);
    } else if (payloadLength === 127) {
      target[2] = target[3] = 0;
      target.writeUIntBE(dataLength, 4, 6);
    }

    if (!options.mask) {
      return dataLength ? [target, data] : [target];
    }

    target[1] |= 0x80;
    target[offset - 4] = mask[0];
    target[offset - 3] = mask[1];
    target[offset - 2] = mask[2];
    target[offset - 1] = mask[3];

    if (!dataLength) return [target];
    if (skipMasking) return [target, data];

    if (merge) {
      applyMask(data, mask, target, offset, dataLength);
      return [target];
    }

    applyMask(data, mask, data, 0, dataLength);
    return [target, data];
  }

  /**
   * Sends a close message to the other peer.
   *
   * @param {Number} [code] The status code component of the body
   * @param {(String|Buffer)} [data] The message component of the body
   * @param {Boolean} [mask=false] Specifies whether or not to mask the message
   * @param {Function} [cb] Callback
   * @public
   */
  close(code, data, mask, cb) {
    let buf;

    if (code === undefined) {
      buf = EMPTY_BUFFER;
    } else if (typeof code !== 'number' || !isValidStatusCode(code)) {
      throw new TypeError('First argument must be a valid error code number');
    } else if (data === undefined || !data.length) {
      buf = Buffer.allocUnsafe(2);
      buf.writeUInt16BE(code, 0);
    } else {
      const length = Buffer.byteLength(data);

      if (length > 123) {
        throw new RangeError('The message must not be greater than 123 bytes');
      }

      buf = Buffer.allocUnsafe(2 + length);
      buf.writeUInt16BE(code, 0);

      if (typeof data === 'string') {
        buf.write(data, 2);
      } else if (isUint8Array(data)) {
        buf.set(data, 2);
      } else {
        throw new TypeError('Second argument must be a string or a Uint8Array');
      }
    }

    const options = {
      [kByteLength]: buf.length,
      fin: true,
      generateMask: this._generateMask,
      mask,
      maskBuffer: this._maskBuffer,
      opcode: 0x08,
      readOnly: false,
      rsv1: false
    };

    if (this._state !== DEFAULT) {
      this.enqueue([this.dispatch, buf, false, options, cb]);
    } else {
      this.sendFrame(Sender.frame(buf, options), cb);
    }
  }

  /**
   * Sends a ping message to the other peer.
   *
   * @param {*} data The message to send
   * @param {Boolean} [mask=false] Specifies whether or not to mask `data`
   * @param {Function} [cb] Callback
   * @public
   */
  ping(data, mask, cb) {
    let byteLength;
    let readOnly;

    if (typeof data === 'string') {
      byteLength = Buffer.byteLength(data);
      readOnly = false;
    } else if (isBlob(data)) {
      byteLength = data.size;
      readOnly = false;
    } else {
      data = toBuffer(data);
      byteLength = data.length;
      readOnly = toBuffer.readOnly;
    }

    if (byteLength > 125) {
      throw new RangeError('The data size must not be greater than 125 bytes');
    }

    const options = {
      [kByteLength]: byteLength,
      fin: true,
      generateMask: this._generateMask,
      mask,
      maskBuffer: this._maskBuffer,
      opcode: 0x09,
      readOnly,
      rsv1: false
    };

    if (isBlob(data)) {
      if (this._state !== DEFAULT) {
        this.enqueue([this.getBlobData, data, false, options, cb]);
      } else {
        this.getBlobData(data, false, options, cb);
      }
    } else if (this._state !== DEFAULT) {
      this.enqueue([this.dispatch, data, false, options, cb]);
    } else {
      this.sendFrame(Sender.frame(data, options), cb);
    }
  }

  /**
   * Sends a pong message to the other peer.
   *
   * @param {*} data The message to send
   * @param {Boolean} [mask=false] Specifies whether or not to mask `data`
   * @param {Function} [cb] Callback
   * @public
   */
  pong(data, mask, cb) {
    let byteLength;
    let readOnly;

    if (typeof data === 'string') {
      byteLength = Buffer.byteLength(data);
      readOnly = false;
    } else if (isBlob(data)) {
      byteLength = data.size;
      readOnly = false;
    } else {
      data = toBuffer(data);
      byteLength = data.length;
      readOnly = toBuffer.readOnly;
    }

    if (byteLength > 125) {
      throw new RangeError('The data size must not be greater than 125 bytes');
    }

    const options = {
      [kByteLength]: byteLength,
      fin: true,
      generateMask: this._generateMask,
      mask,
      maskBuffer: this._maskBuffer,
      opcode: 0x0a,
      readOnly,
      rsv1: false
    };

    if (isBlob(data)) {
      if (this._state !== DEFAULT) {
        this.enqueue([this.getBlobData, data, false, options, cb]);
      } else {
        this.getBlobData(data, false, options, cb);
      }
    } else if (this._state !== DEFAULT) {
      this.enqueue([this.dispatch, data, false, options, cb]);
    } else {
      this.sendFrame(Sender.frame(data, options), cb);
    }
  }

  /**
   * Sends a data message to the other peer.
   *
   * @param {*} data The message to send
   * @param {Object} options Options object
   * @param {Boolean} [options.binary=false] Specifies whether `data` is binary
   *     or text
   * @param {Boolean} [options.compress=false] Specifies whether or not to
   *     compress `data`
   * @param {Boolean} [options.fin=false] Specifies whether the fragment is the
   *     last one
   * @param {Boolean} [options.mask=false] Specifies whether or not to mask
   *     `data`
   * @param {Function} [cb] Callback
   * @public
   */
  send(data, options, cb) {
    const perMessageDeflate = this._extensions[PerMessageDeflate.extensionName];
    let opcode = options.binary ? 2 : 1;
    let rsv1 = options.compress;

    let byteLength;
    let readOnly;

    if (typeof data === 'string') {
      byteLength = Buffer.byteLength(data);
      readOnly = false;
    } else if (isBlob(data)) {
      byteLength = data.size;
      readOnly = false;
    } else {
      data = toBuffer(data);
      byteLength = data.length;
      readOnly = toBuffer.readOnly;
    }

    if (this._firstFragment) {
      this._firstFragment = false;
      if (
        rsv1 &&
        perMessageDeflate &&
        perMessageDeflate.params[
          perMessageDeflate._isServer
            ? 'server_no_context_takeover'
            : 'client_no_context_takeover'
        ]
      ) {
        rsv1 = byteLength >= perMessageDeflate._threshold;
      }
      this._compress = rsv1;
    } else {
      rsv1 = false;
      opcode = 0;
    }

    if (options.fin) this._firstFragment = true;

    const opts = {
      [kByteLength]: byteLength,
      fin: options.fin,
      generateMask: this._generateMask,
      mask: options.mask,
      maskBuffer: this._maskBuffer,
      opcode,
      readOnly,
      rsv1
    };

    if (isBlob(data)) {
      if (this._state !== DEFAULT) {
        this.enqueue([this.getBlobData, data, this._compress, opts, cb]);
      } else {
        this.getBlobData(data, this._compress, opts, cb);
      }
    } else if (this._state !== DEFAULT) {
      this.enqueue([this.dispatch, data, this._compress, opts, cb]);
    } else {
      this.dispatch(data, this._compress, opts, cb);
    }
  }

  /**
   * Gets the contents of a blob as binary data.
   *
   * @param {Blob} blob The blob
   * @param {Boolean} [compress=false] Specifies whether or not to compress
   *     the data
   * @param {Object} options Options object
   * @param {Boolean} [options.fin=false] Specifies whether or not to set the
   *     FIN bit
   * @param {Function} [options.generateMask] The function used to generate the
   *     masking key
   * @param {Boolean} [options.mask=false] Specifies whether or not to mask
   *     `data`
   * @param {Buffer} [options.maskBuffer] The buffer used to store the masking
   *     key
   * @param {Number} options.opcode The opcode
   * @param {Boolean} [options.readOnly=false] Specifies whether `data` can be
   *     modified
   * @param {Boolean} [options.rsv1=false] Specifies whether or not to set the
   *     RSV1 bit
   * @param {Function} [cb] Callback
   * @private
   */
  getBlobData(blob, compress, options, cb) {
    this._bufferedBytes += options[kByteLength];
    this._state = GET_BLOB_DATA;

    blob
      .arrayBuffer()
      .then((arrayBuffer) => {
        if (this._socket.destroyed) {
          const err = new Error(
            'The socket was closed while the blob was being read'
          );

          //
          // `callCallbacks` is called in the next tick to ensure that errors
          // that might be thrown in the callbacks behave like errors thrown
          // outside the promise chain.
          //
          process.nextTick(callCallbacks, this, err, cb);
          return;
        }

        this._bufferedBytes -= options[kByteLength];
        const data = toBuffer(arrayBuffer);

        if (!compress) {
          this._state = DEFAULT;
          this.sendFrame(Sender.frame(data, options), cb);
          this.dequeue();
        } else {
          this.dispatch(data, compress, options, cb);
        }
      })
      .catch((err) => {
        //
        // `onError` is called in the next tick for the same reason that
        // `callCallbacks` above is.
        //
        process.nextTick(onError, this, err, cb);
      });
  }

  /**
   * Dispatches a message.
   *
   * @param {(Buffer|String)} data The message to send
   * @param {Boolean} [compress=false] Specifies whether or not to compress
   *     `data`
   * @param {Object} options Options object
   * @param {Boolean} [options.fin=false] Specifies whether or not to set the
   *     FIN bit
   * @param {Function} [options.generateMask] The function used to generate the
   *     masking key
   * @param {Boolean} [options.mask=false] Specifies whether or not to mask
   *     `data`
   * @param {Buffer} [options.maskBuffer] The buffer used to store the masking
   *     key
   * @param {Number} options.opcode The opcode
   * @param {Boolean} [options.readOnly=false] Specifies whether `data` can be
   *     modified
   * @param {Boolean} [options.rsv1=false] Specifies whether or not to set the
   *     RSV1 bit
   * @param {Function} [cb] Callback
   * @private
   */
  dispatch(data, compress, options, cb) {
    if (!compress) {
      this.sendFrame(Sender.frame(data, options), cb);
      return;
    }

    const perMessageDeflate = this._extensions[PerMessageDeflate.extensionName];

    this._bufferedBytes += options[kByteLength];
    this._state = DEFLATING;
    perMessageDeflate.compress(data, options.fin, (_, buf) => {
      if (this._socket.destroyed) {
        const err = new Error(
          'The socket was closed while data was being compressed'
        );

        callCallbacks(this, err, cb);
        return;
      }

      this._bufferedBytes -= options[kByteLength];
      this._state = DEFAULT;
      options.readOnly = false;
      this.sendFrame(Sender.frame(buf, options), cb);
      this.dequeue();
    });
  }

  /**
   * Executes queued send operations.
   *
   * @private
   */
  dequeue() {
    while (this._state === DEFAULT && this._queue.length) {
      const params = this._queue.shift();

      this._bufferedBytes -= params[3][kByteLength];
      Reflect.apply(params[0], this, params.slice(1));
    }
  }

  /**
   * Enqueues a send operation.
   *
   * @param {Array} params Send operation parameters.
   * @private
   */
  enqueue(params) {
    this._bufferedBytes += params[3][kByteLength];
    this._queue.push(params);
  }

  /**
   * Sends a frame.
   *
   * @param {(Buffer | String)[]} list The frame to send
   * @param {Function} [cb] Callback
   * @private
   */
  sendFrame(list, cb) {
    if (list.length === 2) {
      this._socket.cork();
      this._socket.write(list[0]);
      this._socket.write(list[1], cb);
      this._socket.uncork();
    } else {
      this._socket.write(list[0], cb);
    }
  }
}

module.exports = Sender;

/**
 * Calls queued callbacks with an error.
 *
 * @param {Sender} sender The `Sender` instance
 * @param {Error} err The error to call the callbacks with
 * @param {Function} [cb] The first callback
 * @private
 */
function callCallbacks(sender, err, cb) {
  if (typeof cb === 'function') cb(err);

  for (let i = 0; i < sender._queue.length; i++) {
    const params = sender._queue[i];
    const callback = params[params.length - 1];

    if (typeof callback === 'function') callback(err);
  }
}

/**
 * Handles a `Sender` error.
 *
 * @param {Sender} sender The `Sender` instance
 * @param {Error} err The error
 * @param {Function} [cb] The first pending callback
 * @private
 */
function onError(sender, err, cb) {
  callCallbacks(sender, err, cb);
  sender.onerror(err);
}


/***/ }),

/***/ 6412:
/***/ ((module, __unused_webpack_exports, __nccwpck_require__) => {

/* eslint no-unused-vars: ["error", { "varsIgnorePattern": "^WebSocket$" }] */


const WebSocket = __nccwpck_require__(6681);
const { Duplex } = __nccwpck_require__(2203);

/**
 * Emits the `'close'` event on a stream.
 *
 * @param {Duplex} stream The stream.
 * @private
 */
function emitClose(stream) {
  stream.emit('close');
}

/**
 * The listener of the `'end'` event.
 *
 * @private
 */
function duplexOnEnd() {
  if (!this.destroyed && this._writableState.finished) {
    this.destroy();
  }
}

/**
 * The listener of the `'error'` event.
 *
 * @param {Error} err The error
 * @private
 */
function duplexOnError(err) {
  this.removeListener('error', duplexOnError);
  this.destroy();
  if (this.listenerCount('error') === 0) {
    // Do not suppress the throwing behavior.
    this.emit('error', err);
  }
}

/**
 * Wraps a `WebSocket` in a duplex stream.
 *
 * @param {WebSocket} ws The `WebSocket` to wrap
 * @param {Object} [options] The options for the `Duplex` constructor
 * @return {Duplex} The duplex stream
 * @public
 */
function createWebSocketStream(ws, options) {
  let terminateOnDestroy = true;

  const duplex = new Duplex({
    ...options,
    autoDestroy: false,
    emitClose: false,
    objectMode: false,
    writableObjectMode: false
  });

  ws.on('message', function message(msg, isBinary) {
    const data =
      !isBinary && duplex._readableState.objectMode ? msg.toString() : msg;

    if (!duplex.push(data)) ws.pause();
  });

  ws.once('error', function error(err) {
    if (duplex.destroyed) return;

    // Prevent `ws.terminate()` from being called by `duplex._destroy()`.
    //
    // - If the `'error'` event is emitted before the `'open'` event, then
    //   `ws.terminate()` is a noop as no socket is assigned.
    // - Otherwise, the error is re-emitted by the listener of the `'error'`
    //   event of the `Receiver` object. The listener already closes the
    //   connection by calling `ws.close()`. This allows a close frame to be
    //   sent to the other peer. If `ws.terminate()` is called right after this,
    //   then the close frame might not be sent.
    terminateOnDestroy = false;
    duplex.destroy(err);
  });

  ws.once('close', function close() {
    if (duplex.destroyed) return;

    duplex.push(null);
  });

  duplex._destroy = function (err, callback) {
    if (ws.readyState === ws.CLOSED) {
      callback(err);
      process.nextTick(emitClose, duplex);
      return;
    }

    let called = false;

    ws.once('error', function error(err) {
      called = true;
      callback(err);
    });

    ws.once('close', function close() {
      if (!called) callback(err);
      process.nextTick(emitClose, duplex);
    });

    if (terminateOnDestroy) ws.terminate();
  };

  duplex._final = function (callback) {
    if (ws.readyState === ws.CONNECTING) {
      ws.once('open', function open() {
        duplex._final(callback);
      });
      return;
    }

    // If the value of the `_socket` property is `null` it means that `ws` is a
    // client websocket and the handshake failed. In fact, when this happens, a
    // socket is never assigned to the websocket. Wait for the `'error'` event
    // that will be emitted by the websocket.
    if (ws._socket === null) return;

    if (ws._socket._writableState.finished) {
      callback();
      if (duplex._readableState.endEmitted) duplex.destroy();
    } else {
      ws._socket.once('finish', function finish() {
        // `duplex` is not destroyed here because the `'end'` event will be
        // emitted on `duplex` after this `'finish'` event. The EOF signaling
        // `null` chunk is, in fact, pushed when the websocket emits `'close'`.
        callback();
      });
      ws.close();
    }
  };

  duplex._read = function () {
    if (ws.isPaused) ws.resume();
  };

  duplex._write = function (chunk, encoding, callback) {
    if (ws.readyState === ws.CONNECTING) {
      ws.once('open', function open() {
        duplex._write(chunk, encoding, callback);
      });
      return;
    }

    ws.send(chunk, callback);
  };

  duplex.on('end', duplexOnEnd);
  duplex.on('error', duplexOnError);
  return duplex;
}

module.exports = createWebSocketStream;


/***/ }),

/***/ 3332:
/***/ ((module, __unused_webpack_exports, __nccwpck_require__) => {



const { tokenChars } = __nccwpck_require__(6615);

/**
 * Parses the `Sec-WebSocket-Protocol` header into a set of subprotocol names.
 *
 * @param {String} header The field value of the header
 * @return {Set} The subprotocol names
 * @public
 */
function parse(header) {
  const protocols = new Set();
  let start = -1;
  let end = -1;
  let i = 0;

  for (i; i < header.length; i++) {
    const code = header.charCodeAt(i);

    if (end === -1 && tokenChars[code] === 1) {
      if (start === -1) start = i;
    } else if (
      i !== 0 &&
      (code === 0x20 /* ' ' */ || code === 0x09) /* '\t' */
    ) {
      if (end === -1 && start !== -1) end = i;
    } else if (code === 0x2c /* ',' */) {
      if (start === -1) {
        throw new SyntaxError(`Unexpected character at index ${i}`);
      }

      if (end === -1) end = i;

      const protocol = header.slice(start, end);

      if (protocols.has(protocol)) {
        throw new SyntaxError(`The "${protocol}" subprotocol is duplicated`);
      }

      protocols.add(protocol);
      start = end = -1;
    } else {
      throw new SyntaxError(`Unexpected character at index ${i}`);
    }
  }

  if (start === -1 || end !== -1) {
    throw new SyntaxError('Unexpected end of input');
  }

  const protocol = header.slice(start, i);

  if (protocols.has(protocol)) {
    throw new SyntaxError(`The "${protocol}" subprotocol is duplicated`);
  }

  protocols.add(protocol);
  return protocols;
}

module.exports = { parse };


/***/ }),

/***/ 6615:
/***/ ((module, __unused_webpack_exports, __nccwpck_require__) => {



const { isUtf8 } = __nccwpck_require__(181);

const { hasBlob } = __nccwpck_require__(1791);

//
// Allowed token characters:
//
// '!', '#', '$', '%', '&', ''', '*', '+', '-',
// '.', 0-9, A-Z, '^', '_', '`', a-z, '|', '~'
//
// tokenChars[32] === 0 // ' '
// tokenChars[33] === 1 // '!'
// tokenChars[34] === 0 // '"'
// ...
//
// prettier-ignore
const tokenChars = [
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, // 0 - 15
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, // 16 - 31
  0, 1, 0, 1, 1, 1, 1, 1, 0, 0, 1, 1, 0, 1, 1, 0, // 32 - 47
  1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, // 48 - 63
  0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, // 64 - 79
  1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 1, 1, // 80 - 95
  1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, // 96 - 111
  1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 0, 1, 0 // 112 - 127
];

/**
 * Checks if a status code is allowed in a close frame.
 *
 * @param {Number} code The status code
 * @return {Boolean} `true` if the status code is valid, else `false`
 * @public
 */
function isValidStatusCode(code) {
  return (
    (code >= 1000 &&
      code <= 1014 &&
      code !== 1004 &&
      code !== 1005 &&
      code !== 1006) ||
    (code >= 3000 && code <= 4999)
  );
}

/**
 * Checks if a given buffer contains only correct UTF-8.
 * Ported from https://www.cl.cam.ac.uk/%7Emgk25/ucs/utf8_check.c by
 * Markus Kuhn.
 *
 * @param {Buffer} buf The buffer to check
 * @return {Boolean} `true` if `buf` contains only correct UTF-8, else `false`
 * @public
 */
function _isValidUTF8(buf) {
  const len = buf.length;
  let i = 0;

  while (i < len) {
    if ((buf[i] & 0x80) === 0) {
      // 0xxxxxxx
      i++;
    } else if ((buf[i] & 0xe0) === 0xc0) {
      // 110xxxxx 10xxxxxx
      if (
        i + 1 === len ||
        (buf[i + 1] & 0xc0) !== 0x80 ||
        (buf[i] & 0xfe) === 0xc0 // Overlong
      ) {
        return false;
      }

      i += 2;
    } else if ((buf[i] & 0xf0) === 0xe0) {
      // 1110xxxx 10xxxxxx 10xxxxxx
      if (
        i + 2 >= len ||
        (buf[i + 1] & 0xc0) !== 0x80 ||
        (buf[i + 2] & 0xc0) !== 0x80 ||
        (buf[i] === 0xe0 && (buf[i + 1] & 0xe0) === 0x80) || // Overlong
        (buf[i] === 0xed && (buf[i + 1] & 0xe0) === 0xa0) // Surrogate (U+D800 - U+DFFF)
      ) {
        return false;
      }

      i += 3;
    } else if ((buf[i] & 0xf8) === 0xf0) {
      // 11110xxx 10xxxxxx 10xxxxxx 10xxxxxx
      if (
        i + 3 >= len ||
        (buf[i + 1] & 0xc0) !== 0x80 ||
        (buf[i + 2] & 0xc0) !== 0x80 ||
        (buf[i + 3] & 0xc0) !== 0x80 ||
        (buf[i] === 0xf0 && (buf[i + 1] & 0xf0) === 0x80) || // Overlong
        (buf[i] === 0xf4 && buf[i + 1] > 0x8f) ||
        buf[i] > 0xf4 // > U+10FFFF
      ) {
        return false;
      }

      i += 4;
    } else {
      return false;
    }
  }

  return true;
}

/**
 * Determines whether a value is a `Blob`.
 *
 * @param {*} value The value to be tested
 * @return {Boolean} `true` if `value` is a `Blob`, else `false`
 * @private
 */
function isBlob(value) {
  return (
    hasBlob &&
    typeof value === 'object' &&
    typeof value.arrayBuffer === 'function' &&
    typeof value.type === 'string' &&
    typeof value.stream === 'function' &&
    (value[Symbol.toStringTag] === 'Blob' ||
      value[Symbol.toStringTag] === 'File')
  );
}

module.exports = {
  isBlob,
  isValidStatusCode,
  isValidUTF8: _isValidUTF8,
  tokenChars
};

if (isUtf8) {
  module.exports.isValidUTF8 = function (buf) {
    return buf.length < 24 ? _isValidUTF8(buf) : isUtf8(buf);
  };
} /* istanbul ignore else  */ else if (!process.env.WS_NO_UTF_8_VALIDATE) {
  try {
    const isValidUTF8 = __nccwpck_require__(2414);

    module.exports.isValidUTF8 = function (buf) {
      return buf.length < 32 ? _isValidUTF8(buf) : isValidUTF8(buf);
    };
  } catch (e) {
    // Continue regardless of the error.
  }
}


/***/ }),

/***/ 129:
/***/ ((module, __unused_webpack_exports, __nccwpck_require__) => {

/* eslint no-unused-vars: ["error", { "varsIgnorePattern": "^Duplex$", "caughtErrors": "none" }] */



const EventEmitter = __nccwpck_require__(4434);
const http = __nccwpck_require__(8611);
const { Duplex } = __nccwpck_require__(2203);
const { createHash } = __nccwpck_require__(6982);

const extension = __nccwpck_require__(1335);
const PerMessageDeflate = __nccwpck_require__(4376);
const subprotocol = __nccwpck_require__(3332);
const WebSocket = __nccwpck_require__(6681);
const { CLOSE_TIMEOUT, GUID, kWebSocket } = __nccwpck_require__(1791);

const keyRegex = /^[+/0-9A-Za-z]{22}==$/;

const RUNNING = 0;
const CLOSING = 1;
const CLOSED = 2;

/**
 * Class representing a WebSocket server.
 *
 * @extends EventEmitter
 */
class WebSocketServer extends EventEmitter {
  /**
   * Create a `WebSocketServer` instance.
   *
   * @param {Object} options Configuration options
   * @param {Boolean} [options.allowSynchronousEvents=true] Specifies whether
   *     any of the `'message'`, `'ping'`, and `'pong'` events can be emitted
   *     multiple times in the same tick
   * @param {Boolean} [options.autoPong=true] Specifies whether or not to
   *     automatically send a pong in response to a ping
   * @param {Number} [options.backlog=511] The maximum length of the queue of
   *     pending connections
   * @param {Boolean} [options.clientTracking=true] Specifies whether or not to
   *     track clients
   * @param {Number} [options.closeTimeout=30000] Duration in milliseconds to
   *     wait for the closing handshake to finish after `websocket.close()` is
   *     called
   * @param {Function} [options.handleProtocols] A hook to handle protocols
   * @param {String} [options.host] The hostname where to bind the server
   * @param {Number} [options.maxBufferedChunks=262144] The maximum number of
   *     buffered data chunks
   * @param {Number} [options.maxFragments=16384] The maximum number of message
   *     fragments
   * @param {Number} [options.maxPayload=104857600] The maximum allowed message
   *     size
   * @param {Number} [options.maxPendingAutoPongs=60] The maximum number of
   *     pending automatic pongs
   * @param {Boolean} [options.noServer=false] Enable no server mode
   * @param {String} [options.path] Accept only connections matching this path
   * @param {(Boolean|Object)} [options.perMessageDeflate=false] Enable/disable
   *     permessage-deflate
   * @param {Number} [options.port] The port where to bind the server
   * @param {(http.Server|https.Server)} [options.server] A pre-created HTTP/S
   *     server to use
   * @param {Boolean} [options.skipUTF8Validation=false] Specifies whether or
   *     not to skip UTF-8 validation for text and close messages
   * @param {Function} [options.verifyClient] A hook to reject connections
   * @param {Function} [options.WebSocket=WebSocket] Specifies the `WebSocket`
   *     class to use. It must be the `WebSocket` class or class that extends it
   * @param {Function} [callback] A listener for the `listening` event
   */
  constructor(options, callback) {
    super();

    options = {
      allowSynchronousEvents: true,
      autoPong: true,
      maxBufferedChunks: 256 * 1024,
      maxFragments: 16 * 1024,
      maxPayload: 100 * 1024 * 1024,
      maxPendingAutoPongs: 60,
      skipUTF8Validation: false,
      perMessageDeflate: false,
      handleProtocols: null,
      clientTracking: true,
      closeTimeout: CLOSE_TIMEOUT,
      verifyClient: null,
      noServer: false,
      backlog: null, // use default (511 as implemented in net.js)
      server: null,
      host: null,
      path: null,
      port: null,
      WebSocket,
      ...options
    };

    if (
      (options.port == null && !options.server && !options.noServer) ||
      (options.port != null && (options.server || options.noServer)) ||
      (options.server && options.noServer)
    ) {
      throw new TypeError(
        'One and only one of the "port", "server", or "noServer" options ' +
          'must be specified'
      );
    }

    if (options.port != null) {
      this._server = http.createServer((req, res) => {
        const body = http.STATUS_CODES[426];

        res.writeHead(426, {
          'Content-Length': body.length,
          'Content-Type': 'text/plain'
        });
        res.end(body);
      });
      this._server.listen(
        options.port,
        options.host,
        options.backlog,
        callback
      );
    } else if (options.server) {
      this._server = options.server;
    }

    if (this._server) {
      const emitConnection = this.emit.bind(this, 'connection');

      this._removeListeners = addListeners(this._server, {
        listening: this.emit.bind(this, 'listening'),
        error: this.emit.bind(this, 'error'),
        upgrade: (req, socket, head) => {
          this.handleUpgrade(req, socket, head, emitConnection);
        }
      });
    }

    if (options.perMessageDeflate === true) options.perMessageDeflate = {};
    if (options.clientTracking) {
      this.clients = new Set();
      this._shouldEmitClose = false;
    }

    this.options = options;
    this._state = RUNNING;
  }

  /**
   * Returns the bound address, the address family name, and port of the server
   * as reported by the operating system if listening on an IP socket.
   * If the server is listening on a pipe or UNIX domain socket, the name is
   * returned as a string.
   *
   * @return {(Object|String|null)} The address of the server
   * @public
   */
  address() {
    if (this.options.noServer) {
      throw new Error('The server is operating in "noServer" mode');
    }

    if (!this._server) return null;
    return this._server.address();
  }

  /**
   * Stop the server from accepting new connections and emit the `'close'` event
   * when all existing connections are closed.
   *
   * @param {Function} [cb] A one-time listener for the `'close'` event
   * @public
   */
  close(cb) {
    if (this._state === CLOSED) {
      if (cb) {
        this.once('close', () => {
          cb(new Error('The server is not running'));
        });
      }

      process.nextTick(emitClose, this);
      return;
    }

    if (cb) this.once('close', cb);

    if (this._state === CLOSING) return;
    this._state = CLOSING;

    if (this.options.noServer || this.options.server) {
      if (this._server) {
        this._removeListeners();
        this._removeListeners = this._server = null;
      }

      if (this.clients) {
        if (!this.clients.size) {
          process.nextTick(emitClose, this);
        } else {
          this._shouldEmitClose = true;
        }
      } else {
        process.nextTick(emitClose, this);
      }
    } else {
      const server = this._server;

      this._removeListeners();
      this._removeListeners = this._server = null;

      //
      // The HTTP/S server was created internally. Close it, and rely on its
      // `'close'` event.
      //
      server.close(() => {
        emitClose(this);
      });
    }
  }

  /**
   * See if a given request should be handled by this server instance.
   *
   * @param {http.IncomingMessage} req Request object to inspect
   * @return {Boolean} `true` if the request is valid, else `false`
   * @public
   */
  shouldHandle(req) {
    if (this.options.path) {
      const index = req.url.indexOf('?');
      const pathname = index !== -1 ? req.url.slice(0, index) : req.url;

      if (pathname !== this.options.path) return false;
    }

    return true;
  }

  /**
   * Handle a HTTP Upgrade request.
   *
   * @param {http.IncomingMessage} req The request object
   * @param {Duplex} socket The network socket between the server and client
   * @param {Buffer} head The first packet of the upgraded stream
   * @param {Function} cb Callback
   * @public
   */
  handleUpgrade(req, socket, head, cb) {
    socket.on('error', socketOnError);

    const key = req.headers['sec-websocket-key'];
    const upgrade = req.headers.upgrade;
    const version = +req.headers['sec-websocket-version'];

    if (req.method !== 'GET') {
      const message = 'Invalid HTTP method';
      abortHandshakeOrEmitwsClientError(this, req, socket, 405, message);
      return;
    }

    if (upgrade === undefined || upgrade.toLowerCase() !== 'websocket') {
      const message = 'Invalid Upgrade header';
      abortHandshakeOrEmitwsClientError(this, req, socket, 400, message);
      return;
    }

    if (key === undefined || !keyRegex.test(key)) {
      const message = 'Missing or invalid Sec-WebSocket-Key header';
      abortHandshakeOrEmitwsClientError(this, req, socket, 400, message);
      return;
    }

    if (version !== 13 && version !== 8) {
      const message = 'Missing or invalid Sec-WebSocket-Version header';
      abortHandshakeOrEmitwsClientError(this, req, socket, 400, message, {
        'Sec-WebSocket-Version': '13, 8'
      });
      return;
    }

    if (!this.shouldHandle(req)) {
      abortHandshake(socket, 400);
      return;
    }

    const secWebSocketProtocol = req.headers['sec-websocket-protocol'];
    let protocols = new Set();

    if (secWebSocketProtocol !== undefined) {
      try {
        protocols = subprotocol.parse(secWebSocketProtocol);
      } catch (err) {
        const message = 'Invalid Sec-WebSocket-Protocol header';
        abortHandshakeOrEmitwsClientError(this, req, socket, 400, message);
        return;
      }
    }

    const secWebSocketExtensions = req.headers['sec-websocket-extensions'];
    const extensions = {};

    if (
      this.options.perMessageDeflate &&
      secWebSocketExtensions !== undefined
    ) {
      const perMessageDeflate = new PerMessageDeflate({
        ...this.options.perMessageDeflate,
        isServer: true,
        maxPayload: this.options.maxPayload
      });

      try {
        const offers = extension.parse(secWebSocketExtensions);

        if (offers[PerMessageDeflate.extensionName]) {
          perMessageDeflate.accept(offers[PerMessageDeflate.extensionName]);
          extensions[PerMessageDeflate.extensionName] = perMessageDeflate;
        }
      } catch (err) {
        const message =
          'Invalid or unacceptable Sec-WebSocket-Extensions header';
        abortHandshakeOrEmitwsClientError(this, req, socket, 400, message);
        return;
      }
    }

    //
    // Optionally call external client verification handler.
    //
    if (this.options.verifyClient) {
      const info = {
        origin:
          req.headers[`${version === 8 ? 'sec-websocket-origin' : 'origin'}`],
        secure: !!(req.socket.authorized || req.socket.encrypted),
        req
      };

      if (this.options.verifyClient.length === 2) {
        this.options.verifyClient(info, (verified, code, message, headers) => {
          if (!verified) {
            return abortHandshake(socket, code || 401, message, headers);
          }

          this.completeUpgrade(
            extensions,
            key,
            protocols,
            req,
            socket,
            head,
            cb
          );
        });
        return;
      }

      if (!this.options.verifyClient(info)) return abortHandshake(socket, 401);
    }

    this.completeUpgrade(extensions, key, protocols, req, socket, head, cb);
  }

  /**
   * Upgrade the connection to WebSocket.
   *
   * @param {Object} extensions The accepted extensions
   * @param {String} key The value of the `Sec-WebSocket-Key` header
   * @param {Set} protocols The subprotocols
   * @param {http.IncomingMessage} req The request object
   * @param {Duplex} socket The network socket between the server and client
   * @param {Buffer} head The first packet of the upgraded stream
   * @param {Function} cb Callback
   * @throws {Error} If called more than once with the same socket
   * @private
   */
  completeUpgrade(extensions, key, protocols, req, socket, head, cb) {
    //
    // Destroy the socket if the client has already sent a FIN packet.
    //
    if (!socket.readable || !socket.writable) return socket.destroy();

    if (socket[kWebSocket]) {
      throw new Error(
        'server.handleUpgrade() was called more than once with the same ' +
          'socket, possibly due to a misconfiguration'
      );
    }

    if (this._state > RUNNING) return abortHandshake(socket, 503);

    const digest = createHash('sha1')
      .update(key + GUID)
      .digest('base64');

    const headers = [
      'HTTP/1.1 101 Switching Protocols',
      'Upgrade: websocket',
      'Connection: Upgrade',
      `Sec-WebSocket-Accept: ${digest}`
    ];

    const ws = new this.options.WebSocket(null, undefined, this.options);

    if (protocols.size) {
      //
      // Optionally call external protocol selection handler.
      //
      const protocol = this.options.handleProtocols
        ? this.options.handleProtocols(protocols, req)
        : protocols.values().next().value;

      if (protocol) {
        headers.push(`Sec-WebSocket-Protocol: ${protocol}`);
        ws._protocol = protocol;
      }
    }

    if (extensions[PerMessageDeflate.extensionName]) {
      const params = extensions[PerMessageDeflate.extensionName].params;
      const value = extension.format({
        [PerMessageDeflate.extensionName]: [params]
      });
      headers.push(`Sec-WebSocket-Extensions: ${value}`);
      ws._extensions = extensions;
    }

    //
    // Allow external modification/inspection of handshake headers.
    //
    this.emit('headers', headers, req);

    socket.write(headers.concat('\r\n').join('\r\n'));
    socket.removeListener('error', socketOnError);

    ws.setSocket(socket, head, {
      allowSynchronousEvents: this.options.allowSynchronousEvents,
      maxBufferedChunks: this.options.maxBufferedChunks,
      maxFragments: this.options.maxFragments,
      maxPayload: this.options.maxPayload,
      skipUTF8Validation: this.options.skipUTF8Validation
    });

    if (this.clients) {
      this.clients.add(ws);
      ws.on('close', () => {
        this.clients.delete(ws);

        if (this._shouldEmitClose && !this.clients.size) {
          process.nextTick(emitClose, this);
        }
      });
    }

    cb(ws, req);
  }
}

module.exports = WebSocketServer;

/**
 * Add event listeners on an `EventEmitter` using a map of <event, listener>
 * pairs.
 *
 * @param {EventEmitter} server The event emitter
 * @param {Object.<String, Function>} map The listeners to add
 * @return {Function} A function that will remove the added listeners when
 *     called
 * @private
 */
function addListeners(server, map) {
  for (const event of Object.keys(map)) server.on(event, map[event]);

  return function removeListeners() {
    for (const event of Object.keys(map)) {
      server.removeListener(event, map[event]);
    }
  };
}

/**
 * Emit a `'close'` event on an `EventEmitter`.
 *
 * @param {EventEmitter} server The event emitter
 * @private
 */
function emitClose(server) {
  server._state = CLOSED;
  server.emit('close');
}

/**
 * Handle socket errors.
 *
 * @private
 */
function socketOnError() {
  this.destroy();
}

/**
 * Close the connection when preconditions are not fulfilled.
 *
 * @param {Duplex} socket The socket of the upgrade request
 * @param {Number} code The HTTP response status code
 * @param {String} [message] The HTTP response body
 * @param {Object} [headers] Additional HTTP response headers
 * @private
 */
function abortHandshake(socket, code, message, headers) {
  //
  // The socket is writable unless the user destroyed or ended it before calling
  // `server.handleUpgrade()` or in the `verifyClient` function, which is a user
  // error. Handling this does not make much sense as the worst that can happen
  // is that some of the data written by the user might be discarded due to the
  // call to `socket.end()` below, which triggers an `'error'` event that in
  // turn causes the socket to be destroyed.
  //
  message = message || http.STATUS_CODES[code];
  headers = {
    Connection: 'close',
    'Content-Type': 'text/html',
    'Content-Length': Buffer.byteLength(message),
    ...headers
  };

  socket.once('finish', socket.destroy);

  socket.end(
    `HTTP/1.1 ${code} ${http.STATUS_CODES[code]}\r\n` +
      Object.keys(headers)
        .map((h) => `${h}: ${headers[h]}`)
        .join('\r\n') +
      '\r\n\r\n' +
      message
  );
}

/**
 * Emit a `'wsClientError'` event on a `WebSocketServer` if there is at least
 * one listener for it, otherwise call `abortHandshake()`.
 *
 * @param {WebSocketServer} server The WebSocket server
 * @param {http.IncomingMessage} req The request object
 * @param {Duplex} socket The socket of the upgrade request
 * @param {Number} code The HTTP response status code
 * @param {String} message The HTTP response body
 * @param {Object} [headers] The HTTP response headers
 * @private
 */
function abortHandshakeOrEmitwsClientError(
  server,
  req,
  socket,
  code,
  message,
  headers
) {
  if (server.listenerCount('wsClientError')) {
    const err = new Error(message);
    Error.captureStackTrace(err, abortHandshakeOrEmitwsClientError);

    server.emit('wsClientError', err, socket, req);
  } else {
    abortHandshake(socket, code, message, headers);
  }
}


/***/ }),

/***/ 6681:
/***/ ((module, __unused_webpack_exports, __nccwpck_require__) => {

/* eslint no-unused-vars: ["error", { "varsIgnorePattern": "^Duplex|Readable$", "caughtErrors": "none" }] */



const EventEmitter = __nccwpck_require__(4434);
const https = __nccwpck_require__(5692);
const http = __nccwpck_require__(8611);
const net = __nccwpck_require__(9278);
const querystring = __nccwpck_require__(3480);
const tls = __nccwpck_require__(4756);
const { randomBytes, createHash } = __nccwpck_require__(6982);
const { Duplex, Readable } = __nccwpck_require__(2203);
const { URL } = __nccwpck_require__(7016);

const PerMessageDeflate = __nccwpck_require__(4376);
const Receiver = __nccwpck_require__(893);
const Sender = __nccwpck_require__(7389);
const { isBlob } = __nccwpck_require__(6615);

const {
  BINARY_TYPES,
  CLOSE_TIMEOUT,
  EMPTY_BUFFER,
  GUID,
  kForOnEventAttribute,
  kListener,
  kStatusCode,
  kWebSocket,
  NOOP
} = __nccwpck_require__(1791);
const {
  EventTarget: { addEventListener, removeEventListener }
} = __nccwpck_require__(4634);
const { format, parse } = __nccwpck_require__(1335);
const { toBuffer } = __nccwpck_require__(5803);

const kAborted = Symbol('kAborted');
const protocolVersions = [8, 13];
const readyStates = ['CONNECTING', 'OPEN', 'CLOSING', 'CLOSED'];
const subprotocolRegex = /^[!#$%&'*+\-.0-9A-Z^_`|a-z~]+$/;

/**
 * Class representing a WebSocket.
 *
 * @extends EventEmitter
 */
class WebSocket extends EventEmitter {
  /**
   * Create a new `WebSocket`.
   *
   * @param {(String|URL)} address The URL to which to connect
   * @param {(String|String[])} [protocols] The subprotocols
   * @param {Object} [options] Connection options
   */
  constructor(address, protocols, options) {
    super();

    this._binaryType = BINARY_TYPES[0];
    this._closeCode = 1006;
    this._closeFrameReceived = false;
    this._closeFrameSent = false;
    this._closeMessage = EMPTY_BUFFER;
    this._closeTimer = null;
    this._errorEmitted = false;
    this._extensions = {};
    this._paused = false;
    this._protocol = '';
    this._readyState = WebSocket.CONNECTING;
    this._receiver = null;
    this._sender = null;
    this._socket = null;

    if (address !== null) {
      this._bufferedAmount = 0;
      this._isServer = false;
      this._redirects = 0;

      if (protocols === undefined) {
        if (!options || options.protocols === undefined) {
          protocols = [];
        } else if (Array.isArray(options.protocols)) {
          protocols = options.protocols;
        } else {
          protocols = [options.protocols];
        }
      } else if (!Array.isArray(protocols)) {
        if (typeof protocols === 'object' && protocols !== null) {
          options = protocols;

          if (options.protocols === undefined) {
            protocols = [];
          } else if (Array.isArray(options.protocols)) {
            protocols = options.protocols;
          } else {
            protocols = [options.protocols];
          }
        } else {
          protocols = [protocols];
        }
      }

      options = initAsClient(this, address, protocols, options);
    } else {
      this._isServer = true;
    }

    if (options.autoPong) {
      this._autoPong = true;
      this._autoPongComplete = () => autoPongComplete(this);
      this._pendingAutoPongs = 0;
      this._maxPendingAutoPongs = options.maxPendingAutoPongs | 0;
    }

    this._closeTimeout = options.closeTimeout;
  }

  /**
   * For historical reasons, the custom "nodebuffer" type is used by the default
   * instead of "blob".
   *
   * @type {String}
   */
  get binaryType() {
    return this._binaryType;
  }

  set binaryType(type) {
    if (!BINARY_TYPES.includes(type)) return;

    this._binaryType = type;

    //
    // Allow to change `binaryType` on the fly.
    //
    if (this._receiver) this._receiver._binaryType = type;
  }

  /**
   * @type {Number}
   */
  get bufferedAmount() {
    if (!this._socket) return this._bufferedAmount;

    return this._socket._writableState.length + this._sender._bufferedBytes;
  }

  /**
   * @type {String}
   */
  get extensions() {
    return Object.keys(this._extensions).join();
  }

  /**
   * @type {Boolean}
   */
  get isPaused() {
    return this._paused;
  }

  /**
   * @type {Function}
   */
  /* istanbul ignore next */
  get onclose() {
    return null;
  }

  /**
   * @type {Function}
   */
  /* istanbul ignore next */
  get onerror() {
    return null;
  }

  /**
   * @type {Function}
   */
  /* istanbul ignore next */
  get onopen() {
    return null;
  }

  /**
   * @type {Function}
   */
  /* istanbul ignore next */
  get onmessage() {
    return null;
  }

  /**
   * @type {String}
   */
  get protocol() {
    return this._protocol;
  }

  /**
   * @type {Number}
   */
  get readyState() {
    return this._readyState;
  }

  /**
   * @type {String}
   */
  get url() {
    return this._url;
  }

  /**
   * Set up the socket and the internal resources.
   *
   * @param {Duplex} socket The network socket between the server and client
   * @param {Buffer} head The first packet of the upgraded stream
   * @param {Object} options Options object
   * @param {Boolean} [options.allowSynchronousEvents=false] Specifies whether
   *     any of the `'message'`, `'ping'`, and `'pong'` events can be emitted
   *     multiple times in the same tick
   * @param {Function} [options.generateMask] The function used to generate the
   *     masking key
   * @param {Number} [options.maxBufferedChunks=0] The maximum number of
   *     buffered data chunks
   * @param {Number} [options.maxFragments=0] The maximum number of message
   *     fragments
   * @param {Number} [options.maxPayload=0] The maximum allowed message size
   * @param {Boolean} [options.skipUTF8Validation=false] Specifies whether or
   *     not to skip UTF-8 validation for text and close messages
   * @private
   */
  setSocket(socket, head, options) {
    const receiver = new Receiver({
      allowSynchronousEvents: options.allowSynchronousEvents,
      binaryType: this.binaryType,
      extensions: this._extensions,
      isServer: this._isServer,
      maxBufferedChunks: options.maxBufferedChunks,
      maxFragments: options.maxFragments,
      maxPayload: options.maxPayload,
      skipUTF8Validation: options.skipUTF8Validation
    });

    const sender = new Sender(socket, this._extensions, options.generateMask);

    this._receiver = receiver;
    this._sender = sender;
    this._socket = socket;

    receiver[kWebSocket] = this;
    sender[kWebSocket] = this;
    socket[kWebSocket] = this;

    receiver.on('conclude', receiverOnConclude);
    receiver.on('drain', receiverOnDrain);
    receiver.on('error', receiverOnError);
    receiver.on('message', receiverOnMessage);
    receiver.on('ping', receiverOnPing);
    receiver.on('pong', receiverOnPong);

    sender.onerror = senderOnError;

    //
    // These methods may not be available if `socket` is just a `Duplex`.
    //
    if (socket.setTimeout) socket.setTimeout(0);
    if (socket.setNoDelay) socket.setNoDelay();

    if (head.length > 0) socket.unshift(head);

    socket.on('close', socketOnClose);
    socket.on('data', socketOnData);
    socket.on('end', socketOnEnd);
    socket.on('error', socketOnError);

    this._readyState = WebSocket.OPEN;
    this.emit('open');
  }

  /**
   * Emit the `'close'` event.
   *
   * @private
   */
  emitClose() {
    if (!this._socket) {
      this._readyState = WebSocket.CLOSED;
      this.emit('close', this._closeCode, this._closeMessage);
      return;
    }

    if (this._extensions[PerMessageDeflate.extensionName]) {
      this._extensions[PerMessageDeflate.extensionName].cleanup();
    }

    this._receiver.removeAllListeners();
    this._readyState = WebSocket.CLOSED;
    this.emit('close', this._closeCode, this._closeMessage);
  }

  /**
   * Start a closing handshake.
   *
   *          +----------+   +-----------+   +----------+
   *     - - -|ws.close()|-->|close frame|-->|ws.close()|- - -
   *    |     +----------+   +-----------+   +----------+     |
   *          +----------+   +-----------+         |
   * CLOSING  |ws.close()|<--|close frame|<--+-----+       CLOSING
   *          +----------+   +-----------+   |
   *    |           |                        |   +---+        |
   *                +------------------------+-->|fin| - - - -
   *    |         +---+                      |   +---+
   *     - - - - -|fin|<---------------------+
   *              +---+
   *
   * @param {Number} [code] Status code explaining why the connection is closing
   * @param {(String|Buffer)} [data] The reason why the connection is
   *     closing
   * @public
   */
  close(code, data) {
    if (this.readyState === WebSocket.CLOSED) return;
    if (this.readyState === WebSocket.CONNECTING) {
      const msg = 'WebSocket was closed before the connection was established';
      abortHandshake(this, this._req, msg);
      return;
    }

    if (this.readyState === WebSocket.CLOSING) {
      if (
        this._closeFrameSent &&
        (this._closeFrameReceived || this._receiver._writableState.errorEmitted)
      ) {
        this._socket.end();
      }

      return;
    }

    this._sender.close(code, data, !this._isServer, (err) => {
      //
      // This error is handled by the `'error'` listener on the socket. We only
      // want to know if the close frame has been sent here.
      //
      if (err) return;

      this._closeFrameSent = true;

      if (
        this._closeFrameReceived ||
        this._receiver._writableState.errorEmitted
      ) {
        this._socket.end();
      }
    });

    this._readyState = WebSocket.CLOSING;
    setCloseTimer(this);
  }

  /**
   * Pause the socket.
   *
   * @public
   */
  pause() {
    if (
      this.readyState === WebSocket.CONNECTING ||
      this.readyState === WebSocket.CLOSED
    ) {
      return;
    }

    this._paused = true;
    this._socket.pause();
  }

  /**
   * Send a ping.
   *
   * @param {*} [data] The data to send
   * @param {Boolean} [mask] Indicates whether or not to mask `data`
   * @param {Function} [cb] Callback which is executed when the ping is sent
   * @public
   */
  ping(data, mask, cb) {
    if (this.readyState === WebSocket.CONNECTING) {
      throw new Error('WebSocket is not open: readyState 0 (CONNECTING)');
    }

    if (typeof data === 'function') {
      cb = data;
      data = mask = undefined;
    } else if (typeof mask === 'function') {
      cb = mask;
      mask = undefined;
    }

    if (typeof data === 'number') data = data.toString();

    if (this.readyState !== WebSocket.OPEN) {
      sendAfterClose(this, data, cb);
      return;
    }

    if (mask === undefined) mask = !this._isServer;
    this._sender.ping(data || EMPTY_BUFFER, mask, cb);
  }

  /**
   * Send a pong.
   *
   * @param {*} [data] The data to send
   * @param {Boolean} [mask] Indicates whether or not to mask `data`
   * @param {Function} [cb] Callback which is executed when the pong is sent
   * @public
   */
  pong(data, mask, cb) {
    if (this.readyState === WebSocket.CONNECTING) {
      throw new Error('WebSocket is not open: readyState 0 (CONNECTING)');
    }

    if (typeof data === 'function') {
      cb = data;
      data = mask = undefined;
    } else if (typeof mask === 'function') {
      cb = mask;
      mask = undefined;
    }

    if (typeof data === 'number') data = data.toString();

    if (this.readyState !== WebSocket.OPEN) {
      sendAfterClose(this, data, cb);
      return;
    }

    if (mask === undefined) mask = !this._isServer;
    this._sender.pong(data || EMPTY_BUFFER, mask, cb);
  }

  /**
   * Resume the socket.
   *
   * @public
   */
  resume() {
    if (
      this.readyState === WebSocket.CONNECTING ||
      this.readyState === WebSocket.CLOSED
    ) {
      return;
    }

    this._paused = false;
    if (!this._receiver._writableState.needDrain) this._socket.resume();
  }

  /**
   * Send a data message.
   *
   * @param {*} data The message to send
   * @param {Object} [options] Options object
   * @param {Boolean} [options.binary] Specifies whether `data` is binary or
   *     text
   * @param {Boolean} [options.compress] Specifies whether or not to compress
   *     `data`
   * @param {Boolean} [options.fin=true] Specifies whether the fragment is the
   *     last one
   * @param {Boolean} [options.mask] Specifies whether or not to mask `data`
   * @param {Function} [cb] Callback which is executed when data is written out
   * @public
   */
  send(data, options, cb) {
    if (this.readyState === WebSocket.CONNECTING) {
      throw new Error('WebSocket is not open: readyState 0 (CONNECTING)');
    }

    if (typeof options === 'function') {
      cb = options;
      options = {};
    }

    if (typeof data === 'number') data = data.toString();

    if (this.readyState !== WebSocket.OPEN) {
      sendAfterClose(this, data, cb);
      return;
    }

    const opts = {
      binary: typeof data !== 'string',
      mask: !this._isServer,
      compress: true,
      fin: true,
      ...options
    };

    if (!this._extensions[PerMessageDeflate.extensionName]) {
      opts.compress = false;
    }

    this._sender.send(data || EMPTY_BUFFER, opts, cb);
  }

  /**
   * Forcibly close the connection.
   *
   * @public
   */
  terminate() {
    if (this.readyState === WebSocket.CLOSED) return;
    if (this.readyState === WebSocket.CONNECTING) {
      const msg = 'WebSocket was closed before the connection was established';
      abortHandshake(this, this._req, msg);
      return;
    }

    if (this._socket) {
      this._readyState = WebSocket.CLOSING;
      this._socket.destroy();
    }
  }
}

/**
 * @constant {Number} CONNECTING
 * @memberof WebSocket
 */
Object.defineProperty(WebSocket, 'CONNECTING', {
  enumerable: true,
  value: readyStates.indexOf('CONNECTING')
});

/**
 * @constant {Number} CONNECTING
 * @memberof WebSocket.prototype
 */
Object.defineProperty(WebSocket.prototype, 'CONNECTING', {
  enumerable: true,
  value: readyStates.indexOf('CONNECTING')
});

/**
 * @constant {Number} OPEN
 * @memberof WebSocket
 */
Object.defineProperty(WebSocket, 'OPEN', {
  enumerable: true,
  value: readyStates.indexOf('OPEN')
});

/**
 * @constant {Number} OPEN
 * @memberof WebSocket.prototype
 */
Object.defineProperty(WebSocket.prototype, 'OPEN', {
  enumerable: true,
  value: readyStates.indexOf('OPEN')
});

/**
 * @constant {Number} CLOSING
 * @memberof WebSocket
 */
Object.defineProperty(WebSocket, 'CLOSING', {
  enumerable: true,
  value: readyStates.indexOf('CLOSING')
});

/**
 * @constant {Number} CLOSING
 * @memberof WebSocket.prototype
 */
Object.defineProperty(WebSocket.prototype, 'CLOSING', {
  enumerable: true,
  value: readyStates.indexOf('CLOSING')
});

/**
 * @constant {Number} CLOSED
 * @memberof WebSocket
 */
Object.defineProperty(WebSocket, 'CLOSED', {
  enumerable: true,
  value: readyStates.indexOf('CLOSED')
});

/**
 * @constant {Number} CLOSED
 * @memberof WebSocket.prototype
 */
Object.defineProperty(WebSocket.prototype, 'CLOSED', {
  enumerable: true,
  value: readyStates.indexOf('CLOSED')
});

[
  'binaryType',
  'bufferedAmount',
  'extensions',
  'isPaused',
  'protocol',
  'readyState',
  'url'
].forEach((property) => {
  Object.defineProperty(WebSocket.prototype, property, { enumerable: true });
});

//
// Add the `onopen`, `onerror`, `onclose`, and `onmessage` attributes.
// See https://html.spec.whatwg.org/multipage/comms.html#the-websocket-interface
//
['open', 'error', 'close', 'message'].forEach((method) => {
  Object.defineProperty(WebSocket.prototype, `on${method}`, {
    enumerable: true,
    get() {
      for (const listener of this.listeners(method)) {
        if (listener[kForOnEventAttribute]) return listener[kListener];
      }

      return null;
    },
    set(handler) {
      for (const listener of this.listeners(method)) {
        if (listener[kForOnEventAttribute]) {
          this.removeListener(method, listener);
          break;
        }
      }

      if (typeof handler !== 'function') return;

      this.addEventListener(method, handler, {
        [kForOnEventAttribute]: true
      });
    }
  });
});

WebSocket.prototype.addEventListener = addEventListener;
WebSocket.prototype.removeEventListener = removeEventListener;

module.exports = WebSocket;

/**
 * Initialize a WebSocket client.
 *
 * @param {WebSocket} websocket The client to initialize
 * @param {(String|URL)} address The URL to which to connect
 * @param {Array} protocols The subprotocols
 * @param {Object} [options] Connection options
 * @param {Boolean} [options.allowSynchronousEvents=true] Specifies whether any
 *     of the `'message'`, `'ping'`, and `'pong'` events can be emitted multiple
 *     times in the same tick
 * @param {Boolean} [options.autoPong=true] Specifies whether or not to
 *     automatically send a pong in response to a ping
 * @param {Number} [options.closeTimeout=30000] Duration in milliseconds to wait
 *     for the closing handshake to finish after `websocket.close()` is called
 * @param {Function} [options.finishRequest] A function which can be used to
 *     customize the headers of each http request before it is sent
 * @param {Boolean} [options.followRedirects=false] Whether or not to follow
 *     redirects
 * @param {Function} [options.generateMask] The function used to generate the
 *     masking key
 * @param {Number} [options.handshakeTimeout] Timeout in milliseconds for the
 *     handshake request
 * @param {Number} [options.maxBufferedChunks=262144] The maximum number of
 *     buffered data chunks
 * @param {Number} [options.maxFragments=16384] The maximum number of message
 *     fragments
 * @param {Number} [options.maxPayload=104857600] The maximum allowed message
 *     size
 * @param {Number} [options.maxPendingAutoPongs=60] The maximum number of
 *     pending automatic pongs
 * @param {Number} [options.maxRedirects=10] The maximum number of redirects
 *     allowed
 * @param {String} [options.origin] Value of the `Origin` or
 *     `Sec-WebSocket-Origin` header
 * @param {(Boolean|Object)} [options.perMessageDeflate=true] Enable/disable
 *     permessage-deflate
 * @param {Number} [options.protocolVersion=13] Value of the
 *     `Sec-WebSocket-Version` header
 * @param {Boolean} [options.skipUTF8Validation=false] Specifies whether or
 *     not to skip UTF-8 validation for text and close messages
 * @return {Object} The resolved options object used for initialization
 * @private
 */
function initAsClient(websocket, address, protocols, options) {
  const opts = {
    allowSynchronousEvents: true,
    autoPong: true,
    closeTimeout: CLOSE_TIMEOUT,
    protocolVersion: protocolVersions[1],
    maxBufferedChunks: 256 * 1024,
    maxFragments: 16 * 1024,
    maxPayload: 100 * 1024 * 1024,
    maxPendingAutoPongs: 60,
    skipUTF8Validation: false,
    perMessageDeflate: true,
    followRedirects: false,
    maxRedirects: 10,
    ...options,
    socketPath: undefined,
    hostname: undefined,
    protocol: undefined,
    protocols: undefined,
    timeout: undefined,
    method: 'GET',
    host: undefined,
    path: undefined,
    port: undefined
  };

  if (!protocolVersions.includes(opts.protocolVersion)) {
    throw new RangeError(
      `Unsupported protocol version: ${opts.protocolVersion} ` +
        `(supported versions: ${protocolVersions.join(', ')})`
    );
  }

  let parsedUrl;

  if (address instanceof URL) {
    parsedUrl = address;
  } else {
    try {
      parsedUrl = new URL(address);
    } catch {
      throw new SyntaxError(`Invalid URL: ${address}`);
    }
  }

  if (parsedUrl.protocol === 'http:' || parsedUrl.protocol === 'https:') {
    parsedUrl = new URL(parsedUrl);
    parsedUrl.protocol = parsedUrl.protocol === 'http:' ? 'ws:' : 'wss:';
  }

  websocket._url = parsedUrl.href;

  const isSecure = parsedUrl.protocol === 'wss:';
  const isIpcUrl = parsedUrl.protocol === 'ws+unix:';
  let invalidUrlMessage;

  if (parsedUrl.protocol !== 'ws:' && !isSecure && !isIpcUrl) {
    invalidUrlMessage =
      'The URL\'s protocol must be one of "ws:", "wss:", ' +
      '"http:", "https:", or "ws+unix:"';
  } else if (isIpcUrl && !parsedUrl.pathname) {
    invalidUrlMessage = "The URL's pathname is empty";
  } else if (parsedUrl.hash) {
    invalidUrlMessage = 'The URL contains a fragment identifier';
  }

  if (invalidUrlMessage) {
    const err = new SyntaxError(invalidUrlMessage);

    if (websocket._redirects === 0) {
      throw err;
    } else {
      emitErrorAndClose(websocket, err);
      return;
    }
  }

  const defaultPort = isSecure ? 443 : 80;
  const key = randomBytes(16).toString('base64');
  const request = isSecure ? https.request : http.request;
  const protocolSet = new Set();
  let perMessageDeflate;

  opts.createConnection =
    opts.createConnection || (isSecure ? tlsConnect : netConnect);
  opts.defaultPort = opts.defaultPort || defaultPort;
  opts.port = parsedUrl.port || defaultPort;
  opts.host = parsedUrl.hostname.startsWith('[')
    ? parsedUrl.hostname.slice(1, -1)
    : parsedUrl.hostname;
  opts.headers = {
    ...opts.headers,
    'Sec-WebSocket-Version': opts.protocolVersion,
    'Sec-WebSocket-Key': key,
    Connection: 'Upgrade',
    Upgrade: 'websocket'
  };
  opts.path = parsedUrl.pathname + parsedUrl.search;
  opts.timeout = opts.handshakeTimeout;

  if (opts.perMessageDeflate) {
    perMessageDeflate = new PerMessageDeflate({
      ...opts.perMessageDeflate,
      isServer: false,
      maxPayload: opts.maxPayload
    });
    opts.headers['Sec-WebSocket-Extensions'] = format({
      [PerMessageDeflate.extensionName]: perMessageDeflate.offer()
    });
  }
  if (protocols.length) {
    for (const protocol of protocols) {
      if (
        typeof protocol !== 'string' ||
        !subprotocolRegex.test(protocol) ||
        protocolSet.has(protocol)
      ) {
        throw new SyntaxError(
          'An invalid or duplicated subprotocol was specified'
        );
      }

      protocolSet.add(protocol);
    }

    opts.headers['Sec-WebSocket-Protocol'] = protocols.join(',');
  }
  if (opts.origin) {
    if (opts.protocolVersion < 13) {
      opts.headers['Sec-WebSocket-Origin'] = opts.origin;
    } else {
      opts.headers.Origin = opts.origin;
    }
  }
  if (parsedUrl.username || parsedUrl.password) {
    const username = querystring.unescape(parsedUrl.username);
    const password = querystring.unescape(parsedUrl.password);

    opts.auth = `${username}:${password}`;
  }

  if (isIpcUrl) {
    const i = opts.path.indexOf(':');

    if (i === -1) {
      opts.socketPath = opts.path;
      opts.path = '';
    } else {
      opts.socketPath = opts.path.slice(0, i);
      opts.path = opts.path.slice(i + 1);
    }
  }

  let req;

  if (opts.followRedirects) {
    if (websocket._redirects === 0) {
      websocket._originalIpc = isIpcUrl;
      websocket._originalSecure = isSecure;
      websocket._originalHostOrSocketPath = isIpcUrl
        ? opts.socketPath
        : parsedUrl.host;

      const headers = options && options.headers;

      //
      // Shallow copy the user provided options so that headers can be changed
      // without mutating the original object.
      //
      options = { ...options, headers: {} };

      if (headers) {
        for (const [key, value] of Object.entries(headers)) {
          options.headers[key.toLowerCase()] = value;
        }
      }
    } else if (websocket.listenerCount('redirect') === 0) {
      const isSameHost = isIpcUrl
        ? websocket._originalIpc
          ? opts.socketPath === websocket._originalHostOrSocketPath
          : false
        : websocket._originalIpc
          ? false
          : parsedUrl.host === websocket._originalHostOrSocketPath;

      if (!isSameHost || (websocket._originalSecure && !isSecure)) {
        //
        // Match curl 7.77.0 behavior and drop the following headers. These
        // headers are also dropped when following a redirect to a subdomain.
        //
        delete opts.headers.authorization;
        delete opts.headers.cookie;

        if (!isSameHost) delete opts.headers.host;

        opts.auth = undefined;
      }
    }

    //
    // Match curl 7.77.0 behavior and make the first `Authorization` header win.
    // If the `Authorization` header is set, then there is nothing to do as it
    // will take precedence.
    //
    if (opts.auth && !options.headers.authorization) {
      options.headers.authorization =
        'Basic ' + Buffer.from(opts.auth).toString('base64');
    }

    req = websocket._req = request(opts);

    if (websocket._redirects) {
      //
      // Unlike what is done for the `'upgrade'` event, no early exit is
      // triggered here if the user calls `websocket.close()` or
      // `websocket.terminate()` from a listener of the `'redirect'` event. This
      // is because the user can also call `request.destroy()` with an error
      // before calling `websocket.close()` or `websocket.terminate()` and this
      // would result in an error being emitted on the `request` object with no
      // `'error'` event listeners attached.
      //
      websocket.emit('redirect', websocket.url, req);
    }
  } else {
    req = websocket._req = request(opts);
  }

  if (opts.timeout) {
    req.on('timeout', () => {
      abortHandshake(websocket, req, 'Opening handshake has timed out');
    });
  }

  req.on('error', (err) => {
    if (req === null || req[kAborted]) return;

    req = websocket._req = null;
    emitErrorAndClose(websocket, err);
  });

  req.on('response', (res) => {
    const location = res.headers.location;
    const statusCode = res.statusCode;

    if (
      location &&
      opts.followRedirects &&
      statusCode >= 300 &&
      statusCode < 400
    ) {
      if (++websocket._redirects > opts.maxRedirects) {
        abortHandshake(websocket, req, 'Maximum redirects exceeded');
        return;
      }

      req.abort();

      let addr;

      try {
        addr = new URL(location, address);
      } catch (e) {
        const err = new SyntaxError(`Invalid URL: ${location}`);
        emitErrorAndClose(websocket, err);
        return;
      }

      initAsClient(websocket, addr, protocols, options);
    } else if (!websocket.emit('unexpected-response', req, res)) {
      abortHandshake(
        websocket,
        req,
        `Unexpected server response: ${res.statusCode}`
      );
    }
  });

  req.on('upgrade', (res, socket, head) => {
    websocket.emit('upgrade', res);

    //
    // The user may have closed the connection from a listener of the
    // `'upgrade'` event.
    //
    if (websocket.readyState !== WebSocket.CONNECTING) return;

    req = websocket._req = null;

    const upgrade = res.headers.upgrade;

    if (upgrade === undefined || upgrade.toLowerCase() !== 'websocket') {
      abortHandshake(websocket, socket, 'Invalid Upgrade header');
      return;
    }

    const digest = createHash('sha1')
      .update(key + GUID)
      .digest('base64');

    if (res.headers['sec-websocket-accept'] !== digest) {
      abortHandshake(websocket, socket, 'Invalid Sec-WebSocket-Accept header');
      return;
    }

    const serverProt = res.headers['sec-websocket-protocol'];
    let protError;

    if (serverProt !== undefined) {
      if (!protocolSet.size) {
        protError = 'Server sent a subprotocol but none was requested';
      } else if (!protocolSet.has(serverProt)) {
        protError = 'Server sent an invalid subprotocol';
      }
    } else if (protocolSet.size) {
      protError = 'Server sent no subprotocol';
    }

    if (protError) {
      abortHandshake(websocket, socket, protError);
      return;
    }

    if (serverProt) websocket._protocol = serverProt;

    const secWebSocketExtensions = res.headers['sec-websocket-extensions'];

    if (secWebSocketExtensions !== undefined) {
      if (!perMessageDeflate) {
        const message =
          'Server sent a Sec-WebSocket-Extensions header but no extension ' +
          'was requested';
        abortHandshake(websocket, socket, message);
        return;
      }

      let extensions;

      try {
        extensions = parse(secWebSocketExtensions);
      } catch (err) {
        const message = 'Invalid Sec-WebSocket-Extensions header';
        abortHandshake(websocket, socket, message);
        return;
      }

      const extensionNames = Object.keys(extensions);

      if (
        extensionNames.length !== 1 ||
        extensionNames[0] !== PerMessageDeflate.extensionName
      ) {
        const message = 'Server indicated an extension that was not requested';
        abortHandshake(websocket, socket, message);
        return;
      }

      try {
        perMessageDeflate.accept(extensions[PerMessageDeflate.extensionName]);
      } catch (err) {
        const message = 'Invalid Sec-WebSocket-Extensions header';
        abortHandshake(websocket, socket, message);
        return;
      }

      websocket._extensions[PerMessageDeflate.extensionName] =
        perMessageDeflate;
    }

    websocket.setSocket(socket, head, {
      allowSynchronousEvents: opts.allowSynchronousEvents,
      generateMask: opts.generateMask,
      maxBufferedChunks: opts.maxBufferedChunks,
      maxFragments: opts.maxFragments,
      maxPayload: opts.maxPayload,
      skipUTF8Validation: opts.skipUTF8Validation
    });
  });

  if (opts.finishRequest) {
    opts.finishRequest(req, websocket);
  } else {
    req.end();
  }

  return opts;
}

/**
 * Emit the `'error'` and `'close'` events.
 *
 * @param {WebSocket} websocket The WebSocket instance
 * @param {Error} The error to emit
 * @private
 */
function emitErrorAndClose(websocket, err) {
  websocket._readyState = WebSocket.CLOSING;
  //
  // The following assignment is practically useless and is done only for
  // consistency.
  //
  websocket._errorEmitted = true;
  websocket.emit('error', err);
  websocket.emitClose();
}

/**
 * Create a `net.Socket` and initiate a connection.
 *
 * @param {Object} options Connection options
 * @return {net.Socket} The newly created socket used to start the connection
 * @private
 */
function netConnect(options) {
  options.path = options.socketPath;
  return net.connect(options);
}

/**
 * Create a `tls.TLSSocket` and initiate a connection.
 *
 * @param {Object} options Connection options
 * @return {tls.TLSSocket} The newly created socket used to start the connection
 * @private
 */
function tlsConnect(options) {
  options.path = undefined;

  if (!options.servername && options.servername !== '') {
    options.servername = net.isIP(options.host) ? '' : options.host;
  }

  return tls.connect(options);
}

/**
 * Abort the handshake and emit an error.
 *
 * @param {WebSocket} websocket The WebSocket instance
 * @param {(http.ClientRequest|net.Socket|tls.Socket)} stream The request to
 *     abort or the socket to destroy
 * @param {String} message The error message
 * @private
 */
function abortHandshake(websocket, stream, message) {
  websocket._readyState = WebSocket.CLOSING;

  const err = new Error(message);
  Error.captureStackTrace(err, abortHandshake);

  if (stream.setHeader) {
    stream[kAborted] = true;
    stream.abort();

    if (stream.socket && !stream.socket.destroyed) {
      //
      // On Node.js >= 14.3.0 `request.abort()` does not destroy the socket if
      // called after the request completed. See
      // https://github.com/websockets/ws/issues/1869.
      //
      stream.socket.destroy();
    }

    process.nextTick(emitErrorAndClose, websocket, err);
  } else {
    stream.destroy(err);
    stream.once('error', websocket.emit.bind(websocket, 'error'));
    stream.once('close', websocket.emitClose.bind(websocket));
  }
}

/**
 * Handle cases where the `ping()`, `pong()`, or `send()` methods are called
 * when the `readyState` attribute is `CLOSING` or `CLOSED`.
 *
 * @param {WebSocket} websocket The WebSocket instance
 * @param {*} [data] The data to send
 * @param {Function} [cb] Callback
 * @private
 */
function sendAfterClose(websocket, data, cb) {
  if (data) {
    const length = isBlob(data) ? data.size : toBuffer(data).length;

    //
    // The `_bufferedAmount` property is used only when the peer is a client and
    // the opening handshake fails. Under these circumstances, in fact, the
    // `setSocket()` method is not called, so the `_socket` and `_sender`
    // properties are set to `null`.
    //
    if (websocket._socket) websocket._sender._bufferedBytes += length;
    else websocket._bufferedAmount += length;
  }

  if (cb) {
    const err = new Error(
      `WebSocket is not open: readyState ${websocket.readyState} ` +
        `(${readyStates[websocket.readyState]})`
    );
    process.nextTick(cb, err);
  }
}

/**
 * The listener of the `Receiver` `'conclude'` event.
 *
 * @param {Number} code The status code
 * @param {Buffer} reason The reason for closing
 * @private
 */
function receiverOnConclude(code, reason) {
  const websocket = this[kWebSocket];

  websocket._closeFrameReceived = true;
  websocket._closeCode = code;

  //
  // The reason is a view into the buffer the socket delivered. Copy it so that
  // the `WebSocket` does not keep that buffer alive. The copy is not pooled
  // because a pooled one would keep the pool alive in the same way.
  //
  if (reason.length === 0) {
    websocket._closeMessage = EMPTY_BUFFER;
  } else {
    websocket._closeMessage = Buffer.allocUnsafeSlow(reason.length);
    websocket._closeMessage.set(reason);
  }

  if (websocket._socket[kWebSocket] === undefined) return;

  websocket._socket.removeListener('data', socketOnData);
  process.nextTick(resume, websocket._socket);

  if (code === 1005) websocket.close();
  else websocket.close(code, reason);
}

/**
 * The listener of the `Receiver` `'drain'` event.
 *
 * @private
 */
function receiverOnDrain() {
  const websocket = this[kWebSocket];

  if (!websocket.isPaused) websocket._socket.resume();
}

/**
 * The listener of the `Receiver` `'error'` event.
 *
 * @param {(RangeError|Error)} err The emitted error
 * @private
 */
function receiverOnError(err) {
  const websocket = this[kWebSocket];

  if (websocket._socket[kWebSocket] !== undefined) {
    websocket._socket.removeListener('data', socketOnData);

    //
    // On Node.js < 14.0.0 the `'error'` event is emitted synchronously. See
    // https://github.com/websockets/ws/issues/1940.
    //
    process.nextTick(resume, websocket._socket);

    websocket.close(err[kStatusCode]);
  }

  if (!websocket._errorEmitted) {
    websocket._errorEmitted = true;
    websocket.emit('error', err);
  }
}

/**
 * The listener of the `Receiver` `'finish'` event.
 *
 * @private
 */
function receiverOnFinish() {
  this[kWebSocket].emitClose();
}

/**
 * The listener of the `Receiver` `'message'` event.
 *
 * @param {Buffer|ArrayBuffer|Buffer[])} data The message
 * @param {Boolean} isBinary Specifies whether the message is binary or not
 * @private
 */
function receiverOnMessage(data, isBinary) {
  this[kWebSocket].emit('message', data, isBinary);
}

/**
 * The listener of the `Receiver` `'ping'` event.
 *
 * @param {Buffer} data The data included in the ping frame
 * @private
 */
function receiverOnPing(data) {
  const websocket = this[kWebSocket];

  if (websocket._autoPong && websocket.readyState === WebSocket.OPEN) {
    if (
      websocket._maxPendingAutoPongs > 0 &&
      websocket._pendingAutoPongs >= websocket._maxPendingAutoPongs
    ) {
      websocket.terminate();
    } else {
      websocket._pendingAutoPongs++;
      websocket.pong(data, !this._isServer, websocket._autoPongComplete);
    }
  }

  websocket.emit('ping', data);
}

/**
 * The callback for automatic pong responses.
 *
 * @param {WebSocket} websocket The WebSocket instance
 * @private
 */
function autoPongComplete(websocket) {
  websocket._pendingAutoPongs--;
}

/**
 * The listener of the `Receiver` `'pong'` event.
 *
 * @param {Buffer} data The data included in the pong frame
 * @private
 */
function receiverOnPong(data) {
  this[kWebSocket].emit('pong', data);
}

/**
 * Resume a readable stream
 *
 * @param {Readable} stream The readable stream
 * @private
 */
function resume(stream) {
  stream.resume();
}

/**
 * The `Sender` error event handler.
 *
 * @param {Error} The error
 * @private
 */
function senderOnError(err) {
  const websocket = this[kWebSocket];

  if (websocket.readyState === WebSocket.CLOSED) return;
  if (websocket.readyState === WebSocket.OPEN) {
    websocket._readyState = WebSocket.CLOSING;
    setCloseTimer(websocket);
  }

  //
  // `socket.end()` is used instead of `socket.destroy()` to allow the other
  // peer to finish sending queued data. There is no need to set a timer here
  // because `CLOSING` means that it is already set or not needed.
  //
  this._socket.end();

  if (!websocket._errorEmitted) {
    websocket._errorEmitted = true;
    websocket.emit('error', err);
  }
}

/**
 * Set a timer to destroy the underlying raw socket of a WebSocket.
 *
 * @param {WebSocket} websocket The WebSocket instance
 * @private
 */
function setCloseTimer(websocket) {
  websocket._closeTimer = setTimeout(
    websocket._socket.destroy.bind(websocket._socket),
    websocket._closeTimeout
  );
}

/**
 * The listener of the socket `'close'` event.
 *
 * @private
 */
function socketOnClose() {
  const websocket = this[kWebSocket];

  this.removeListener('close', socketOnClose);
  this.removeListener('data', socketOnData);
  this.removeListener('end', socketOnEnd);

  websocket._readyState = WebSocket.CLOSING;

  //
  // The close frame might not have been received or the `'end'` event emitted,
  // for example, if the socket was destroyed due to an error. Ensure that the
  // `receiver` stream is closed after writing any remaining buffered data to
  // it. If the readable side of the socket is in flowing mode then there is no
  // buffered data as everything has been already written. If instead, the
  // socket is paused, any possible buffered data will be read as a single
  // chunk.
  //
  if (
    !this._readableState.endEmitted &&
    !websocket._closeFrameReceived &&
    !websocket._receiver._writableState.errorEmitted &&
    this._readableState.length !== 0
  ) {
    const chunk = this.read(this._readableState.length);

    websocket._receiver.write(chunk);
  }

  websocket._receiver.end();

  this[kWebSocket] = undefined;

  clearTimeout(websocket._closeTimer);

  if (
    websocket._receiver._writableState.finished ||
    websocket._receiver._writableState.errorEmitted
  ) {
    websocket.emitClose();
  } else {
    websocket._receiver.on('error', receiverOnFinish);
    websocket._receiver.on('finish', receiverOnFinish);
  }
}

/**
 * The listener of the socket `'data'` event.
 *
 * @param {Buffer} chunk A chunk of data
 * @private
 */
function socketOnData(chunk) {
  if (!this[kWebSocket]._receiver.write(chunk)) {
    this.pause();
  }
}

/**
 * The listener of the socket `'end'` event.
 *
 * @private
 */
function socketOnEnd() {
  const websocket = this[kWebSocket];

  websocket._readyState = WebSocket.CLOSING;
  websocket._receiver.end();
  this.end();
}

/**
 * The listener of the socket `'error'` event.
 *
 * @private
 */
function socketOnError() {
  const websocket = this[kWebSocket];

  this.removeListener('error', socketOnError);
  this.on('error', NOOP);

  if (websocket) {
    websocket._readyState = WebSocket.CLOSING;
    this.destroy();
  }
}


/***/ }),

/***/ 1710:
/***/ ((module) => {


/**
 * @actions/http-client (imported by @actions/core too) imports undici for
 * one thing: the ProxyAgent its getAgentDispatcher() builds for fetch()
 * behind a proxy. These actions never call it: every request goes through
 * HttpClient (Node's http and https; proxies through `tunnel`). Bundled, the
 * real undici is evaluated at start-up all the same: ~900 kB of the bundle,
 * ~60 ms of start-up and ~9 MB of memory on Node 24 (npm run bench). This
 * workspace package takes its place for undici ^6 (package.json
 * `workspaces`); whatever reaches for ProxyAgent gets a clear error, never a
 * half-working proxy.
 */
class ProxyAgent {
  constructor() {
    throw new Error('undici is not bundled with these actions: ProxyAgent (fetch() through a proxy) is unavailable')
  }
}

/**
 * Node's own fetch (undici inside Node). Only for dev tools that import it
 * from 'undici' without declaring it (@github/local-action's GitHub stub);
 * nothing in the bundle uses it.
 */
function fetch(input, init) {
  return globalThis.fetch(input, init)
}

module.exports = { ProxyAgent, fetch }


/***/ }),

/***/ 2310:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {


// EXPORTS
__nccwpck_require__.d(__webpack_exports__, {
  n: () => (/* binding */ runReviewApp)
});

// EXTERNAL MODULE: ./node_modules/@actions/core/lib/core.js + 18 modules
var core = __nccwpck_require__(2313);
// EXTERNAL MODULE: ./src/lib/clock.ts
var lib_clock = __nccwpck_require__(4517);
// EXTERNAL MODULE: ./src/report/failure.ts
var failure = __nccwpck_require__(3304);
// EXTERNAL MODULE: ./src/report/notify.ts
var report_notify = __nccwpck_require__(4669);
// EXTERNAL MODULE: ./src/settings/notify.ts
var settings_notify = __nccwpck_require__(2584);
// EXTERNAL MODULE: ./src/report/finish.ts
var report_finish = __nccwpck_require__(9547);
// EXTERNAL MODULE: ./src/report/reviewapp.ts
var reviewapp = __nccwpck_require__(9745);
// EXTERNAL MODULE: ./src/settings/inputs.ts
var settings_inputs = __nccwpck_require__(7428);
// EXTERNAL MODULE: external "node:fs"
var external_node_fs_ = __nccwpck_require__(3024);
// EXTERNAL MODULE: ./src/lib/errors.ts
var errors = __nccwpck_require__(7268);
// EXTERNAL MODULE: ./src/lib/refs.ts
var refs = __nccwpck_require__(9265);
// EXTERNAL MODULE: ./src/github/archives.ts
var archives = __nccwpck_require__(7592);
;// CONCATENATED MODULE: ./src/github/pulls.ts



function repoOf(fullName) {
    if (typeof fullName !== 'string')
        return undefined;
    const [owner, repo, extra] = fullName.split('/');
    return owner && repo && extra === undefined ? { owner, repo } : undefined;
}
/** Whether the head commit comes from another repository than the base (or from a deleted one). */
function isFork(pr) {
    if (!pr.headRepo)
        return true;
    const name = (r) => `${r.owner}/${r.repo}`.toLowerCase();
    return name(pr.headRepo) !== name(pr.baseRepo);
}
/** A pull request object of GitHub's (event payload or API answer), checked. */
function readPullRequest(data, action, fallbackBase) {
    const p = (data ?? {});
    if (typeof p.number !== 'number' || !Number.isInteger(p.number) || p.number < 1)
        throw new errors/* ActionError */.lZ('the pull request has no number');
    const sha = typeof p.head?.sha === 'string' ? p.head.sha.toLowerCase() : '';
    if (!(0,refs/* isFullSha */.Wf)(sha))
        throw new errors/* ActionError */.lZ(`pull request #${p.number} has no head commit SHA`);
    return {
        number: p.number,
        headSha: sha,
        headRef: typeof p.head?.ref === 'string' ? p.head.ref : '',
        headRepo: repoOf(p.head?.repo?.full_name),
        baseRepo: repoOf(p.base?.repo?.full_name) ?? fallbackBase,
        closed: p.state === 'closed' || action === 'closed',
        action
    };
}
/** `GET /repos/{owner}/{repo}/pulls/{number}`. */
async function fetchPullRequest(github, repo, number) {
    let data;
    try {
        data = await github.json({ method: 'GET', path: `${(0,archives/* repoPath */.qN)(repo)}/pulls/${number}`, retry: 'idempotent' });
    }
    catch (err) {
        if (err instanceof errors/* HttpError */.j$ && err.status === 404)
            throw new errors/* ActionError */.lZ(`pull request #${number} was not found in ${repo.owner}/${repo.repo} (404)`, 'check the pull-request input, and that github-token can read the repository');
        throw err;
    }
    return readPullRequest(data, '', repo);
}

// EXTERNAL MODULE: ./src/lib/text.ts
var lib_text = __nccwpck_require__(9112);
// EXTERNAL MODULE: ./src/settings/oneoff.ts
var oneoff = __nccwpck_require__(4840);
// EXTERNAL MODULE: ./src/settings/parse.ts
var parse = __nccwpck_require__(6894);
// EXTERNAL MODULE: ./src/settings/settings.ts
var settings = __nccwpck_require__(7100);
;// CONCATENATED MODULE: ./src/settings/reviewapp.ts








/**
 * The `review-app` action's inputs and the pull request it is for,
 * validated before any request: the parent as the deploy action reads an
 * app, the review app's name, what to do, and what to bring along.
 */
/** The longest review-app name made by default: the child-apps docs say 32 (the API allows 48 since 2021). */
const MAX_DEFAULT_NAME = 32;
/**
 * `<parent>-pr<number>`; past `max` characters the parent part is cut,
 * `-pr<number>` kept, and no hyphen is left at the cut (a name has no
 * double or trailing hyphen). Pure.
 */
function reviewAppName(parent, number, max = MAX_DEFAULT_NAME) {
    const suffix = `-pr${number}`;
    const room = Math.max(1, max - suffix.length);
    const head = parent.slice(0, room).replace(/-+$/, '');
    return `${head || parent.slice(0, 1)}${suffix}`;
}
const PROVIDER = /^[a-z0-9][a-z0-9-]{0,62}$/;
const PLAN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;
/** `copy` (default), `none`, or `provider:plan` lines (blank lines and # comments ignored). */
function parseAddons(value) {
    const text = value.trim();
    if (text === '' || text === 'copy')
        return { kind: 'copy' };
    if (text === 'none')
        return { kind: 'none' };
    const items = [];
    for (const raw of text.split(/\r?\n/)) {
        const line = raw.trim();
        if (line === '' || line.startsWith('#'))
            continue;
        const [provider, plan, extra] = line.split(':').map(x => x.trim());
        if (extra !== undefined || !PROVIDER.test(provider ?? '') || !PLAN.test(plan ?? '')) {
            throw new errors/* InputError */.dz(settings_inputs/* REVIEW_INPUTS */.D0.addons, `${(0,lib_text/* quote */.hD)(line)} is not provider:plan (e.g. postgresql:postgresql-starter-512); or give copy or none`);
        }
        if (items.some(i => i.provider === provider))
            throw new errors/* InputError */.dz(settings_inputs/* REVIEW_INPUTS */.D0.addons, `names ${provider} twice: one addon per provider`);
        items.push({ provider, plan });
    }
    if (items.length === 0)
        return { kind: 'none' };
    return { kind: 'list', items };
}
/** The event's pull request, when the workflow runs on one. */
function eventPullRequest(env, base) {
    const event = env.GITHUB_EVENT_NAME ?? '';
    if (event !== 'pull_request' && event !== 'pull_request_target')
        return undefined;
    let payload;
    try {
        payload = JSON.parse((0,external_node_fs_.readFileSync)(env.GITHUB_EVENT_PATH ?? '', 'utf8'));
    }
    catch {
        throw new errors/* InputError */.dz(settings_inputs/* REVIEW_INPUTS */.D0.pullRequest, `this workflow runs on ${event}, but its event payload (GITHUB_EVENT_PATH) could not be read`);
    }
    if (!payload?.pull_request)
        return undefined;
    return readPullRequest(payload.pull_request, typeof payload.action === 'string' ? payload.action : '', base);
}
function readPullRequestNumber(get, event, eventName) {
    const input = get(settings_inputs/* REVIEW_INPUTS */.D0.pullRequest).trim().replace(/^#/, '');
    if (input === '') {
        if (event)
            return event.number;
        throw new errors/* InputError */.dz(settings_inputs/* REVIEW_INPUTS */.D0.pullRequest, `is required on ${eventName || 'this'} events (only pull_request events carry one)`);
    }
    if (!/^[1-9]\d{0,9}$/.test(input))
        throw new errors/* InputError */.dz(settings_inputs/* REVIEW_INPUTS */.D0.pullRequest, `${(0,lib_text/* quote */.hD)(input)} is not a pull request number`);
    return Number(input);
}
function readName(get, parent, number) {
    const input = get(settings_inputs/* REVIEW_INPUTS */.D0.name).trim();
    const name = input ? (0,parse/* parseAppName */.QV)(settings_inputs/* REVIEW_INPUTS */.D0.name, input) : reviewAppName(parent, number);
    if (name.length < 6 || name.includes('--'))
        throw new errors/* InputError */.dz(settings_inputs/* REVIEW_INPUTS */.D0.name, `${(0,lib_text/* quote */.hD)(name)} is not a review-app name: 6 to 48 characters, no double hyphen`);
    if (name === parent)
        throw new errors/* InputError */.dz(settings_inputs/* REVIEW_INPUTS */.D0.name, 'is the parent app: a review app is another app');
    return name;
}
function readReviewGitHub(get, env) {
    const repoInput = env.GITHUB_REPOSITORY ?? '';
    if (!repoInput)
        throw new errors/* InputError */.dz('GITHUB_REPOSITORY', 'is not set; the review-app action runs in a workflow');
    return {
        token: (0,parse/* parseToken */.pI)(settings_inputs/* INPUTS */.mc.githubToken, get(settings_inputs/* INPUTS */.mc.githubToken)),
        apiUrl: (0,parse/* parseBaseUrl */.Q2)('GITHUB_API_URL', env.GITHUB_API_URL || 'https://api.github.com'),
        serverUrl: (0,parse/* parseServerUrl */.Ep)('GITHUB_SERVER_URL', env.GITHUB_SERVER_URL || 'https://github.com'),
        repository: (0,parse/* parseRepository */.SU)('GITHUB_REPOSITORY', repoInput)
    };
}
/** A review app waits for addons and a build, then may run after-create: one hour by default. */
const DEFAULT_REVIEW_TIMEOUT = '1h';
/** The deploy action's behaviour inputs, less what a review app does not take (force, rollback). */
function readReviewBehaviour(get, workspace) {
    return (0,settings/* readBehaviour */.Y3)(name => {
        if (name === settings_inputs/* INPUTS */.mc.force || name === settings_inputs/* INPUTS */.mc.rollback)
            return '';
        if (name === settings_inputs/* INPUTS */.mc.timeout)
            return get(name) || DEFAULT_REVIEW_TIMEOUT;
        return get(name);
    }, workspace);
}
function readReviewAppSettings(get, env) {
    const target = (0,settings/* readTarget */._E)(get, settings_inputs/* REVIEW_INPUTS */.D0.parent);
    const github = readReviewGitHub(get, env);
    const behaviour = readReviewBehaviour(get, env.GITHUB_WORKSPACE || process.cwd());
    const mode = (0,parse/* parseChoice */.HU)(settings_inputs/* REVIEW_INPUTS */.D0.mode, get(settings_inputs/* REVIEW_INPUTS */.D0.mode).trim(), ['auto', 'deploy', 'destroy']);
    const event = eventPullRequest(env, github.repository);
    const pullRequest = readPullRequestNumber(get, event, env.GITHUB_EVENT_NAME ?? '');
    const name = readName(get, target.app, pullRequest);
    const afterCreate = (0,oneoff/* readCommandText */.B4)(settings_inputs/* REVIEW_INPUTS */.D0.afterCreate, get(settings_inputs/* REVIEW_INPUTS */.D0.afterCreate)) || undefined;
    if (afterCreate) {
        (0,oneoff/* refuseSecretsInCommand */.aR)(afterCreate, behaviour.variables, target.apiToken, settings_inputs/* REVIEW_INPUTS */.D0.afterCreate);
        if (!behaviour.wait)
            throw new errors/* InputError */.dz(settings_inputs/* REVIEW_INPUTS */.D0.afterCreate, 'needs wait: true (it runs once the deployment succeeded)');
    }
    return {
        target,
        name,
        mode,
        pullRequest,
        event: event?.number === pullRequest ? event : undefined,
        addons: parseAddons(get(settings_inputs/* REVIEW_INPUTS */.D0.addons)),
        copyVariables: (0,parse/* parseBoolean */.yG)(settings_inputs/* REVIEW_INPUTS */.D0.copyVariables, get(settings_inputs/* REVIEW_INPUTS */.D0.copyVariables), true),
        afterCreate,
        forks: (0,parse/* parseBoolean */.yG)(settings_inputs/* REVIEW_INPUTS */.D0.forks, get(settings_inputs/* REVIEW_INPUTS */.D0.forks), false),
        comment: (0,parse/* parseBoolean */.yG)(settings_inputs/* REVIEW_INPUTS */.D0.comment, get(settings_inputs/* REVIEW_INPUTS */.D0.comment), true),
        behaviour,
        github
    };
}

// EXTERNAL MODULE: ./src/report/signals.ts
var signals = __nccwpck_require__(9879);
// EXTERNAL MODULE: ./src/stages/conclude.ts
var conclude = __nccwpck_require__(834);
// EXTERNAL MODULE: ./src/github/client.ts
var client = __nccwpck_require__(6584);
// EXTERNAL MODULE: ./src/scalingo/client.ts
var scalingo_client = __nccwpck_require__(8211);
// EXTERNAL MODULE: ./src/settings/dotenv.ts
var dotenv = __nccwpck_require__(6443);
// EXTERNAL MODULE: ./src/stages/context.ts
var context = __nccwpck_require__(2088);
// EXTERNAL MODULE: ./src/stages/workspace.ts
var stages_workspace = __nccwpck_require__(574);
;// CONCATENATED MODULE: ./src/stages/review/context.ts






/** The env-file and `variables`, merged; values masked. Local, so a bad file fails before any request. */
function readOverrides(s) {
    const { envFile, variables, workspace } = s.behaviour;
    return (0,dotenv/* mergeVariables */.mc)(envFile ? (0,stages_workspace/* readEnvFile */.SF)(envFile, workspace).variables : [], variables);
}
function createReviewContext(settings, env, clock, report, startedAt, stop) {
    const overrides = readOverrides(settings);
    const deadline = startedAt + settings.behaviour.timeoutSeconds * 1000;
    const http = (0,context/* actionHttp */.f)(clock, deadline);
    const t = settings.target;
    const inputs = { app: settings_inputs/* REVIEW_INPUTS */.D0.parent, region: settings_inputs/* INPUTS */.mc.region, token: settings_inputs/* INPUTS */.mc.apiToken };
    const parent = new scalingo_client/* ScalingoClient */.GK(http, { ...t, clock, inputs });
    const review = parent.forApp(settings.name, { ...inputs, app: settings_inputs/* REVIEW_INPUTS */.D0.name });
    const github = new client/* GitHubClient */.j(http, { apiUrl: settings.github.apiUrl, token: settings.github.token });
    Object.assign(report, {
        app: settings.name,
        parent: t.app,
        region: t.region,
        pullRequest: settings.pullRequest,
        waited: settings.behaviour.wait
    });
    return { settings, env, clock, startedAt, deadline, http, parent, review, github, report, stop, overrides };
}

// EXTERNAL MODULE: ./src/github/deployments.ts
var deployments = __nccwpck_require__(6887);
// EXTERNAL MODULE: ./src/lib/log.ts
var log = __nccwpck_require__(1025);
;// CONCATENATED MODULE: ./src/scalingo/childapps.ts



/**
 * Child apps and addons (../shared/scalingo-api.md, "Child apps and
 * addons"): the calls a review app needs, each answer reduced to what we
 * use. Every list is read to its last page: a name missing from page one
 * may be on page two.
 */
/** Pages of a list read at most: past them, the list is not trusted to end. */
const MAX_PAGES = 40;
const PER_PAGE = 50;
function encode(app) {
    return encodeURIComponent(app);
}
/** Every child of `parent` (names), page by page. */
async function listChildApps(client, parent) {
    const names = [];
    for (let page = 1; page <= MAX_PAGES; page++) {
        const { data } = await client.api('GET', `/v1/apps/${encode(parent)}/child_apps?page=${page}&per_page=${PER_PAGE}`, { retry: 'idempotent' });
        if (!Array.isArray(data.child_apps))
            throw new errors/* ActionError */.lZ(`Scalingo answered the child apps of "${parent}" without a "child_apps" array`);
        for (const c of data.child_apps)
            if (typeof c?.name === 'string')
                names.push(c.name);
        if (!(0,scalingo_client/* hasNextPage */.rB)(data.meta, page, data.child_apps.length, PER_PAGE))
            return names;
    }
    throw new errors/* ActionError */.lZ(`the child apps of "${parent}" run past ${MAX_PAGES} pages: not deciding from a partial list`);
}
/** `GET /v1/apps/{name}`: 404 is missing; 403 is an app this token cannot see (the name is taken). */
async function appPresence(client, name) {
    try {
        await client.api('GET', `/v1/apps/${encode(name)}`, { retry: 'idempotent' });
        return 'exists';
    }
    catch (err) {
        if (err instanceof errors/* HttpError */.j$ && err.status === 404)
            return 'missing';
        if (err instanceof errors/* HttpError */.j$ && err.status === 403)
            return 'hidden';
        throw err;
    }
}
/** `POST /v1/apps/{parent}/child_apps`: not idempotent (sent again only when certainly unsent). */
async function createChildApp(client, parent, name) {
    await client.api('POST', `/v1/apps/${encode(parent)}/child_apps`, {
        json: { app: { name } },
        retry: 'unsent-only'
    });
}
/** `DELETE /v1/apps/{name}?current_name={name}`: 'gone' when it answers 404. */
async function deleteApp(client, name) {
    try {
        await client.api('DELETE', `/v1/apps/${encode(name)}?current_name=${encode(name)}`, { retry: 'idempotent' });
        return 'deleted';
    }
    catch (err) {
        if (err instanceof errors/* HttpError */.j$ && err.status === 404)
            return 'gone';
        throw err;
    }
}
function readAddon(a) {
    if (!a || typeof a !== 'object')
        return undefined;
    const x = a;
    if (typeof x.id !== 'string' || typeof x.addon_provider?.id !== 'string')
        return undefined;
    return {
        id: x.id,
        provider: x.addon_provider.id,
        planId: typeof x.plan?.id === 'string' ? x.plan.id : '',
        planName: typeof x.plan?.name === 'string' ? x.plan.name : '',
        status: typeof x.status === 'string' ? (0,lib_text/* statusLabel */.Rh)(x.status) : 'unknown'
    };
}
/** The app's addons. */
async function listAddons(client, app) {
    const { data } = await client.api('GET', `/v1/apps/${encode(app)}/addons`, {
        retry: 'idempotent'
    });
    if (!Array.isArray(data.addons))
        throw new errors/* ActionError */.lZ(`Scalingo answered the addons of "${app}" without an "addons" array`);
    return data.addons.map(readAddon).filter((a) => a !== undefined);
}
/** The id of a provider's plan given by name (or already by id), as `scalingo addons-add` finds it. */
async function planIdOf(client, provider, plan) {
    let data;
    try {
        data = (await client.api('GET', `/v1/addon_providers/${encode(provider)}/plans`, {
            retry: 'idempotent'
        })).data;
    }
    catch (err) {
        if (err instanceof errors/* HttpError */.j$ && err.status === 404)
            throw new errors/* ActionError */.lZ(`Scalingo knows no addon provider ${(0,lib_text/* quote */.hD)(provider)} (404)`, 'check the addons input');
        throw err;
    }
    const plans = Array.isArray(data.plans) ? data.plans : [];
    const found = plans.find(p => p?.name === plan) ?? plans.find(p => p?.id === plan);
    if (!found || typeof found.id !== 'string') {
        const names = plans.map(p => p?.name).filter((n) => typeof n === 'string');
        throw new errors/* ActionError */.lZ(`addon provider ${(0,lib_text/* quote */.hD)(provider)} has no plan ${(0,lib_text/* quote */.hD)(plan)}${names.length ? ` (its plans: ${names.slice(0, 12).join(', ')})` : ''}`, 'check the addons input');
    }
    return found.id;
}
/**
 * `POST /v1/apps/{app}/addons`: not idempotent (a second POST is a second
 * database). Returns the addon and the variables it says it sets.
 */
async function provisionAddon(client, app, provider, planId) {
    const { data } = await client.api('POST', `/v1/apps/${encode(app)}/addons`, { json: { addon: { addon_provider_id: provider, plan_id: planId, options: {} } }, retry: 'unsent-only' });
    const list = Array.isArray(data.variables) ? data.variables : Array.isArray(data.vars) ? data.vars : [];
    return { addon: readAddon(data.addon), variables: list.filter((v) => typeof v === 'string') };
}

;// CONCATENATED MODULE: ./src/stages/review/app.ts



/** Whether `name` is a child of `parent` (every page), else whether an app of that name exists as this token sees it. */
async function standingOf(client, parent, name) {
    if ((await listChildApps(client, parent)).includes(name))
        return 'child';
    return appPresence(client, name);
}
/** An app of that name that is not the parent's child: never touched. */
function notAChild(name, parent, presence, action) {
    const who = presence === 'hidden'
        ? 'is taken by an app this token cannot see (another account, or another region)'
        : `is an app that is not a child of "${parent}"`;
    return new errors/* ActionError */.lZ(`"${name}" ${who}: ${action}`, 'give the review app another name (input name), or remove that app yourself');
}
/** Finds the review app among the parent's children, or creates it. `created`: this run created it. */
async function ensureReviewApp(client, parent, name) {
    const standing = await standingOf(client, parent, name);
    if (standing === 'child') {
        log/* info */.pq(`Review app ${name} exists (a child of ${parent}): updating it`);
        return { created: false };
    }
    if (standing !== 'missing')
        throw notAChild(name, parent, standing, 'not creating, updating or deploying anything');
    try {
        await createChildApp(client, parent, name);
    }
    catch (err) {
        if (err instanceof errors/* HttpError */.j$ && err.status === 422) {
            throw new errors/* ActionError */.lZ(`Scalingo refused to create the review app "${name}" as a child of "${parent}" (422: ${err.serverMessage}); the name may be taken by an app this token cannot see`, 'give the review app another name (input name)');
        }
        if (!(0,errors/* mayHaveBeenProcessed */.uZ)(err))
            throw err;
        // The POST may have created it: the parent's children say, and nothing is posted again.
        log/* info */.pq(`(creating ${name} had no clear answer: ${(0,errors/* describeError */.Uc)(err)}; reading the parent's children again)`);
        if (!(await listChildApps(client, parent)).includes(name))
            throw err;
    }
    log/* info */.pq(`Created the review app ${name}, a child of ${parent}`);
    return { created: true };
}
/**
 * Deletes the review app when, and only when, it is a child of `parent`.
 * An app that no longer exists is already gone: said, not failed.
 */
async function destroyReviewApp(client, parent, name) {
    const standing = await standingOf(client, parent, name);
    if (standing !== 'child') {
        if (standing !== 'missing')
            throw notAChild(name, parent, standing, 'not deleting it');
        log/* info */.pq(`Review app ${name} does not exist (already deleted): nothing to destroy`);
        return 'gone';
    }
    const result = await deleteApp(client, name);
    log/* info */.pq(result === 'deleted'
        ? `Deleted the review app ${name} and its addons`
        : `Review app ${name} was already gone when deleted (404): nothing to destroy`);
    return result;
}

;// CONCATENATED MODULE: ./src/stages/review/destroy.ts



/**
 * A closed pull request: the review app deleted, only if it is the
 * parent's child; already gone is success. Its GitHub environment, if
 * any, is marked inactive.
 */
async function destroyStage(ctx) {
    const { settings: s, report } = ctx;
    await ctx.parent.exchange();
    if (s.behaviour.dryRun) {
        const standing = await standingOf(ctx.parent, s.target.app, s.name);
        report.outcome = 'dry-run';
        report.plan = [
            standing === 'child'
                ? `would delete ${s.name} (a child of ${s.target.app}) and its addons`
                : standing === 'missing'
                    ? `${s.name} does not exist: nothing to delete`
                    : `${s.name} is not a child of ${s.target.app}: a real run would refuse`
        ];
        return log/* info */.pq(`Dry run: ${report.plan[0]}`);
    }
    const result = await destroyReviewApp(ctx.parent, s.target.app, s.name);
    report.outcome = 'destroyed';
    report.note = result === 'gone' ? `${s.name} was already gone` : undefined;
    if (s.behaviour.environment)
        await (0,deployments/* deactivateEnvironment */.Q)(ctx.github, s.github.repository, s.behaviour.environment);
}

;// CONCATENATED MODULE: ./src/github/comments.ts



/**
 * One comment per review app on its pull request: found again by a hidden
 * marker and updated in place, never posted twice. A comment is a
 * courtesy: a failure is a warning, never the run's outcome.
 */
/** Pages of comments read at most (100 each). */
const comments_MAX_PAGES = 30;
/** The hidden line that names the review app in its comment. */
function commentMarker(app) {
    return `<!-- scalingo-review-app: ${app.replace(/[^a-z0-9-]/g, '')} -->`;
}
/** The first comment starting with the marker, reading every page. */
async function findComment(github, repo, issue, marker) {
    for (let page = 1; page <= comments_MAX_PAGES; page++) {
        const list = await github.json({
            method: 'GET',
            path: `${(0,archives/* repoPath */.qN)(repo)}/issues/${issue}/comments?per_page=100&page=${page}`,
            retry: 'idempotent'
        });
        if (!Array.isArray(list))
            throw new Error('GitHub answered the comments list without an array');
        const found = list.find(c => typeof c?.id === 'number' && typeof c.body === 'string' && c.body.startsWith(marker));
        if (found)
            return found.id;
        if (list.length < 100)
            return undefined;
    }
    return undefined;
}
/** Creates or updates the review app's comment; says which, or warns why not. */
async function upsertComment(github, repo, issue, marker, body) {
    const text = `${marker}\n${body}`;
    try {
        const id = await findComment(github, repo, issue, marker);
        if (id !== undefined) {
            await github.request({
                method: 'PATCH',
                path: `${(0,archives/* repoPath */.qN)(repo)}/issues/comments/${id}`,
                json: { body: text },
                retry: 'idempotent'
            });
            log/* info */.pq(`Updated the review app's comment on pull request #${issue}`);
            return 'updated';
        }
        // Not idempotent: a second POST would be a second comment.
        await github.request({
            method: 'POST',
            path: `${(0,archives/* repoPath */.qN)(repo)}/issues/${issue}/comments`,
            json: { body: text },
            retry: 'unsent-only'
        });
        log/* info */.pq(`Commented on pull request #${issue}`);
        return 'created';
    }
    catch (err) {
        const perm = err instanceof errors/* HttpError */.j$ && (err.status === 401 || err.status === 403 || err.status === 404);
        log/* warning */.$e(perm
            ? `Could not comment on pull request #${issue} (${err.status}: ${err.serverMessage}); give the workflow "permissions: pull-requests: write", or set comment: false`
            : `Could not comment on pull request #${issue}: ${(0,errors/* describeError */.Uc)(err)}`);
        return 'failed';
    }
}

// EXTERNAL MODULE: ./src/scalingo/regions.ts
var regions = __nccwpck_require__(6487);
;// CONCATENATED MODULE: ./src/stages/review/tell.ts




/**
 * The pull request's comment, once per run at its end: created the first
 * time, then updated in place. Not for a fork's pull request unless
 * `forks: true` (nothing was made for it, and on `pull_request` its token
 * cannot write), nor for a dry run (nothing changed).
 */
async function commentOnPullRequest(ctx) {
    const { settings: s, report } = ctx;
    if (!s.comment || report.outcome === 'skipped' || report.outcome === 'dry-run')
        return;
    if (ctx.pr && isFork(ctx.pr) && !s.forks)
        return;
    // A run cut by its timeout still says how it ended.
    ctx.http.deadline = Math.max(ctx.http.deadline ?? 0, ctx.clock.now() + 10_000);
    const body = (0,reviewapp/* reviewCommentMarkdown */.Vb)(report, (0,regions/* dashboardUrl */.aU)(s.target.region, s.name));
    await upsertComment(ctx.github, s.github.repository, s.pullRequest, commentMarker(s.name), body);
}

// EXTERNAL MODULE: ./src/scalingo/statuses.ts
var statuses = __nccwpck_require__(7178);
// EXTERNAL MODULE: ./src/stages/deliver.ts + 4 modules
var deliver = __nccwpck_require__(19);
// EXTERNAL MODULE: ./src/stages/follow.ts
var follow = __nccwpck_require__(3994);
// EXTERNAL MODULE: ./src/stages/prepare.ts + 5 modules
var prepare = __nccwpck_require__(6845);
// EXTERNAL MODULE: ./src/stages/verify.ts
var verify = __nccwpck_require__(9790);
// EXTERNAL MODULE: ./src/report/oneoff.ts
var report_oneoff = __nccwpck_require__(2829);
// EXTERNAL MODULE: ./src/stages/oneoff/attended.ts + 1 modules
var attended = __nccwpck_require__(9355);
// EXTERNAL MODULE: ./src/stages/oneoff/start.ts
var start = __nccwpck_require__(4417);
;// CONCATENATED MODULE: ./src/stages/review/aftercreate.ts





/**
 * `after-create`: run once, attached, with the `run` action's rules, after
 * the review app's first successful deployment. The action keeps nothing
 * between runs: whether it ran is a variable of the review app, written
 * only once the command exited 0, so one that failed runs again next push.
 */
/** The review app's variable that says after-create ran (and on which commit). */
const AFTER_CREATE_VARIABLE = 'REVIEW_APP_AFTER_CREATE';
/** Whether after-create already ran on this review app, from its own variables. */
async function afterCreateRan(review) {
    return (await review.listVariables()).some(v => v.name === AFTER_CREATE_VARIABLE && v.value.trim() !== '');
}
/** Runs the command attached; on exit 0 records it on the review app, else fails the run with its exit. */
async function runAfterCreate(ctx, target, command, sha) {
    const report = (0,report_oneoff/* newOneOffReport */.om)();
    Object.assign(report, { app: target.app, region: target.region, command });
    log/* info */.pq(`Running after-create on ${target.app}: ${(0,report_oneoff/* commandLabel */.Md)(command)}`);
    const settings = { ...target, command, env: [], detached: false, timeoutSeconds: 0, dryRun: false };
    const started = await (0,start/* startOneOff */.qb)(ctx.client, settings);
    report.container = started.label || undefined;
    const attachUrl = await (0,start/* attachUrlOf */.gx)(ctx.client, started, {
        clock: ctx.clock,
        deadline: ctx.deadline,
        apiUrl: target.apiUrl,
        stop: ctx.stop
    });
    try {
        await (0,attended/* attendOneOff */.O)(ctx, attachUrl, report);
    }
    catch (err) {
        // Its exit code (or why there is none), the telling line included; nothing is recorded, so it runs again.
        throw new errors/* ActionError */.lZ(`after-create: ${(0,errors/* describeError */.Uc)(err)}; nothing recorded, it runs again on the next push`, err instanceof errors/* ActionError */.lZ ? err.hint : undefined, 'after-create failed');
    }
    await ctx.client.setVariables([{ name: AFTER_CREATE_VARIABLE, value: `ran for ${sha}` }], 'after-create');
    log/* info */.pq(`after-create exited with 0: recorded in ${AFTER_CREATE_VARIABLE} on ${target.app}, it will not run again`);
    return report;
}

;// CONCATENATED MODULE: ./src/stages/review/addons.ts



/** When provisioning is looked at again: soon at first (a small plan is ready in seconds), then every 3 s. */
function addonPollDelay(polls) {
    return polls === 0 ? 500 : polls < 4 ? 1_000 : 3_000;
}
/** What `addons` asks for: the parent's (one per provider), a list (plans resolved by name), or none. */
async function wantedAddons(client, wanted, parent) {
    if (wanted.kind === 'none')
        return [];
    if (wanted.kind === 'list') {
        const out = [];
        for (const { provider, plan } of wanted.items)
            out.push({ provider, planId: await planIdOf(client, provider, plan), planName: plan });
        return out;
    }
    const seen = new Set();
    const out = [];
    for (const a of await listAddons(client, parent)) {
        if (seen.has(a.provider) || !a.planId)
            continue;
        seen.add(a.provider);
        out.push({ provider: a.provider, planId: a.planId, planName: a.planName });
    }
    return out;
}
/**
 * The variables an addon of each provider sets besides its `SCALINGO_*`
 * URL (Scalingo's addon pages; the CLI prints them as "Modified
 * variables"). An addon may set them only after it reports `running`, and
 * its POST answer may not list them: they belong to the review app's own
 * addon all the same, and are never copied from the parent.
 */
const PROVIDER_VARIABLES = {
    postgresql: ['DATABASE_URL'],
    mysql: ['DATABASE_URL'],
    redis: ['REDIS_URL'],
    'scalingo-redis': ['REDIS_URL'],
    mongodb: ['SCALINGO_MONGO_URL', 'MONGO_URL'],
    elasticsearch: ['ELASTICSEARCH_URL'],
    opensearch: ['OPENSEARCH_URL'],
    influxdb: ['SCALINGO_INFLUX_URL', 'INFLUX_URL']
};
/** The names the addons of these providers set on an app. */
function providedNames(providers) {
    return providers.flatMap(p => [
        `SCALINGO_${p
            .replace(/^scalingo-/, '')
            .toUpperCase()
            .replace(/-/g, '_')}_URL`,
        ...(PROVIDER_VARIABLES[p] ?? [])
    ]);
}
function describeAddon(a) {
    return `${a.provider} (${a.planName || a.planId || 'plan unknown'})`;
}
/** Posts one addon; after an unclear answer, the app's addons say whether it was created (never posted twice). */
async function provisionOne(client, app, w) {
    try {
        const answer = await provisionAddon(client, app, w.provider, w.planId);
        return answer.variables;
    }
    catch (err) {
        if (err instanceof errors/* HttpError */.j$ && !(0,errors/* mayHaveBeenProcessed */.uZ)(err)) {
            throw new errors/* ActionError */.lZ(`Scalingo refused the ${describeAddon(w)} addon for ${app} (${err.status}: ${err.serverMessage}); the review app is left as it is, and the next run completes it`, err.status === 402 ? 'the account needs a payment method for this plan' : 'check the addons input');
        }
        if (!(0,errors/* mayHaveBeenProcessed */.uZ)(err))
            throw err;
        log/* info */.pq(`(adding ${describeAddon(w)} had no clear answer: ${(0,errors/* describeError */.Uc)(err)}; reading ${app}'s addons again)`);
        if ((await listAddons(client, app)).some(a => a.provider === w.provider))
            return [];
        throw err;
    }
}
/** Adds each wanted addon the review app does not have yet. */
async function provisionMissing(client, app, wanted) {
    const outcome = { created: [], variables: [] };
    if (wanted.length === 0)
        return outcome;
    const present = await listAddons(client, app);
    for (const w of wanted) {
        if (present.some(a => a.provider === w.provider))
            continue;
        outcome.variables.push(...(await provisionOne(client, app, w)));
        outcome.created.push(describeAddon(w));
        log/* info */.pq(`Added the ${describeAddon(w)} addon to ${app}`);
    }
    return outcome;
}
/** Waits until the addons of the wanted providers run; a suspended one, or the timeout, fails. */
async function waitForAddons(client, app, wanted, bounds) {
    if (wanted.length === 0)
        return [];
    const providers = new Set(wanted.map(w => w.provider));
    for (let polls = 0;; polls++) {
        const mine = (await listAddons(client, app)).filter(a => providers.has(a.provider));
        const waiting = mine.filter(a => a.status !== 'running');
        const suspended = waiting.find(a => a.status === 'suspended');
        if (suspended)
            throw new errors/* ActionError */.lZ(`the ${describeAddon(suspended)} addon of ${app} is suspended`);
        if (waiting.length === 0)
            return mine;
        if (polls === 0)
            log/* info */.pq(`Waiting for ${waiting.map(a => describeAddon(a)).join(', ')} to be provisioned…`);
        const wait = addonPollDelay(polls);
        if (bounds.clock.now() + wait > bounds.deadline || bounds.stop?.aborted) {
            throw new errors/* ActionError */.lZ(`${waiting.map(a => `${describeAddon(a)} is still ${a.status}`).join(', ')} on ${app} at the timeout`, 'the next run waits for it again (nothing is added twice); raise timeout if provisioning takes longer');
        }
        await bounds.clock.sleep(wait, bounds.stop);
    }
}

;// CONCATENATED MODULE: ./src/stages/review/plan.ts






/**
 * A dry run: everything read, nothing written. What exists, what would be
 * created, which commit would ship; the same refusals as a real run (a
 * name taken by an app that is not a child).
 */
async function planReviewApp(ctx, pr) {
    const { settings: s, report } = ctx;
    const parent = s.target.app;
    const standing = await standingOf(ctx.parent, parent, s.name);
    const child = standing === 'child';
    const plan = [`parent: ${parent} in ${s.target.region} — found, token accepted`];
    if (!child && standing !== 'missing') {
        plan.push(`review app: ${s.name} is taken by an app that is not a child of ${parent}: a real run would refuse`);
    }
    else {
        plan.push(`review app: ${s.name} ${child ? 'exists (a child of the parent): would be updated' : 'would be created as a child of the parent'}`);
        const wanted = await wantedAddons(ctx.parent, s.addons, parent);
        const have = child ? await listAddons(ctx.review, s.name) : [];
        const missing = wanted.filter(w => !have.some(a => a.provider === w.provider));
        plan.push(`addons: ${missing.length ? `would add ${(0,lib_text/* listSome */.XT)(missing.map(describeAddon), 10)}` : 'nothing to add'}`);
        plan.push(`variables: ${s.copyVariables ? "the parent's it lacks (not its addons' or anything holding their URLs)" : 'not copied'}${ctx.overrides.length
            ? `, then ${(0,lib_text/* listSome */.XT)(ctx.overrides.map(v => v.name), 10)}`
            : ''}`);
        plan.push(`deploy: ${pr.headRepo ? (0,archives/* repoName */.Qq)(pr.headRepo) : '?'}@${pr.headSha}`);
        if (s.afterCreate)
            plan.push('after-create: would run once after the first successful deployment');
    }
    report.outcome = 'dry-run';
    report.plan = plan;
    log/* info */.pq(`Dry run: everything checked, nothing changed.\n${plan.map(l => `  ${l}`).join('\n')}`);
}

// EXTERNAL MODULE: ./src/lib/secrets.ts
var secrets = __nccwpck_require__(5714);
;// CONCATENATED MODULE: ./src/stages/review/variables.ts




/**
 * The review app's variables: the parent's it does not have yet, minus
 * anything that would point it at the parent's resources, then env-file
 * and `variables` over them, in one bulk call. Values are masked as they
 * are read and never printed; only names are.
 */
/** A URL value, as addons set them (`postgres://user:password@host:port/db`). */
const URL_VALUE = /^[a-z][a-z0-9+.-]*:\/\/\S+$/i;
/** A value that only refers to another variable (`$SCALINGO_POSTGRESQL_URL`): copied as is, it resolves on the review app. */
const ALIAS = /^\$(?:[A-Za-z_][A-Za-z0-9_]*|\{[A-Za-z_][A-Za-z0-9_]*\})$/;
/**
 * The parent's addon URLs and their credential parts: the `SCALINGO_*`
 * variables holding a URL (what addons set), the URL's password and
 * `user:password@host` authority. A value holding any of them points at
 * the parent's resources.
 */
function parentResourceMarks(parent) {
    const names = [];
    const marks = new Set();
    for (const v of parent) {
        if (!v.name.startsWith('SCALINGO_') || !URL_VALUE.test(v.value))
            continue;
        names.push(v.name);
        marks.add(v.value);
        try {
            const u = new URL(v.value);
            const password = decodeURIComponent(u.password);
            if (password.length >= 8)
                marks.add(password);
            if (u.username && u.host)
                marks.add(`${u.username}:${u.password}@${u.host}`);
        }
        catch {
            // the whole value is a mark already
        }
    }
    return { names, marks: [...marks].filter(m => m.length >= 8) };
}
/**
 * Which of the parent's variables the review app gets: those it does not
 * have yet, except names its own addons provide, the parent's addon
 * variables, any value holding one of their URLs, and the action's own
 * state. Pure.
 */
function planCopy(parent, child, addonProvided, own) {
    const has = new Set(child.map(v => v.name));
    const provided = new Set(addonProvided);
    const { names, marks } = parentResourceMarks(parent);
    const parentAddonNames = new Set(names);
    const copy = [];
    const excluded = [];
    for (const v of parent) {
        if (has.has(v.name) || own.includes(v.name))
            continue;
        const pointsAtParent = provided.has(v.name) || parentAddonNames.has(v.name) || marks.some(m => v.value.includes(m));
        if (pointsAtParent)
            excluded.push(v.name);
        else
            copy.push(v);
    }
    return { copy, excluded };
}
/** What is set on the review app: the copy, then the overrides where they differ from what it has. Pure. */
function reviewVariableWrites(child, copy, overrides) {
    const now = new Map(child.map(v => [v.name, v.value]));
    const writes = new Map();
    for (const v of copy)
        writes.set(v.name, v.value);
    for (const v of overrides)
        if (now.get(v.name) !== v.value || writes.has(v.name))
            writes.set(v.name, v.value);
    return [...writes].map(([name, value]) => ({ name, value }));
}
/**
 * Masks values as they are read (a review app's build output may print
 * them): all but booleans, numbers, bare references to another variable
 * and single lower-case words (`production`, `staging`), which would mask
 * the same word everywhere in the log and hide nothing.
 */
function maskValues(vars) {
    const plain = (x) => /^(true|false|yes|no|on|off|-?\d+(\.\d+)?|[a-z]{1,12})$/i.test(x) || ALIAS.test(x);
    (0,secrets/* registerSecrets */.dg)(vars.filter(v => !plain(v.value.trim())).map(v => v.value));
}
/**
 * The review app's variables that point at the parent's resources (a
 * value holding one of its addon URLs or passwords). Whether creating a
 * child copies the parent's variables is not documented: whatever put them
 * there, they go. Pure.
 */
function pointingAtParent(child, parent) {
    const { marks } = parentResourceMarks(parent);
    return child.filter(v => marks.some(m => v.value.includes(m)));
}
/** Copies, overrides, one bulk call; names only in the log. */
async function applyReviewVariables(review, parent, opts) {
    const listed = await review.listVariables({ aliases: true });
    maskValues(listed);
    // The parent's are read even without copy-variables: they say what points at its resources.
    const fromParent = await parent.listVariables({ aliases: true });
    maskValues(fromParent);
    // What env-file or variables set is the user's explicit choice, whatever it points at.
    const stale = pointingAtParent(listed, fromParent).filter(v => !opts.overrides.some(o => o.name === v.name));
    const noId = stale.find(v => !v.id);
    if (noId)
        throw new errors/* ActionError */.lZ(`${review.config.app} holds ${noId.name}, which points at ${parent.config.app}'s resources, and Scalingo listed it without an id to remove it by: not deploying`, `remove it from ${review.config.app} (scalingo --app ${review.config.app} env-unset ${noId.name})`);
    for (const v of stale)
        await review.unsetVariable(v.id);
    const removed = stale.map(v => v.name);
    const child = listed.filter(v => !removed.includes(v.name));
    const plan = opts.copy
        ? planCopy(fromParent, child, [...opts.addonProvided, ...removed], opts.own)
        : { copy: [], excluded: [] };
    const writes = reviewVariableWrites(child, plan.copy, opts.overrides);
    const overridden = opts.overrides.filter(o => writes.some(w => w.name === o.name)).map(o => o.name);
    const copied = plan.copy.map(v => v.name).filter(n => !overridden.includes(n));
    if (writes.length > 0)
        await review.setVariables(writes, opts.copy ? 'the parent, env-file and variables' : 'env-file and variables');
    const outcome = { copied, excluded: plan.excluded, overridden, removed };
    const line = describeVariables(outcome, parent.config.app, names => (0,lib_text/* listSome */.XT)(names, 20));
    log/* info */.pq(`Variables of ${review.config.app}: ${line || 'nothing to change'}`);
    return outcome;
}
/** What the variables step did, names only ('' when nothing): for the log (names shortened) and the summary. */
function describeVariables(v, parentApp, names) {
    return [
        v.removed.length ? `removed ${names(v.removed)} (they pointed at ${parentApp}'s resources)` : '',
        v.copied.length ? `copied ${names(v.copied)} from ${parentApp}` : '',
        v.overridden.length ? `set ${names(v.overridden)}` : '',
        v.excluded.length ? `not copied (the parent's resources, or the review app's addons): ${names(v.excluded)}` : ''
    ]
        .filter(Boolean)
        .join('; ');
}

;// CONCATENATED MODULE: ./src/stages/review/update.ts















/**
 * A pull request's push: the review app found or created, its addons,
 * its variables, the head commit deployed through the deploy action's own
 * stages, then after-create once. Each step looks at what exists first,
 * so a run that stopped half-way is completed by the next.
 */
/** The pull request: from the event, or from the API on another event. */
async function pullRequestOf(ctx) {
    const { settings } = ctx;
    ctx.pr ??= settings.event ?? (await fetchPullRequest(ctx.github, settings.github.repository, settings.pullRequest));
    ctx.report.headRef = ctx.pr.headRef || undefined;
    return ctx.pr;
}
/** A fork's code would run with the parent's variables: refused unless `forks: true`. */
function refuseFork(ctx, pr) {
    if (!isFork(pr) || ctx.settings.forks)
        return false;
    const from = pr.headRepo ? (0,archives/* repoName */.Qq)(pr.headRepo) : 'a deleted repository';
    ctx.report.outcome = 'skipped';
    ctx.report.note = `pull request #${pr.number} comes from a fork (${from}): no review app, since its code would run with ${ctx.settings.target.app}'s variables; set forks: true to allow it`;
    log/* notice */.lm(ctx.report.note);
    return true;
}
/** The deploy action's settings for the review app's head commit. */
function deploySettings(s, pr, env) {
    if (!pr.headRepo)
        throw new errors/* ActionError */.lZ(`the head repository of pull request #${pr.number} was deleted: there is no archive to deploy`);
    const b = s.behaviour;
    return {
        ...s.target,
        app: s.name,
        ref: pr.headSha,
        refFrom: 'input',
        workflow: { event: env.GITHUB_EVENT_NAME ?? '', sha: pr.headSha, refType: '', refName: '', eventPath: '' },
        repository: pr.headRepo,
        githubToken: s.github.token,
        githubApiUrl: s.github.apiUrl,
        githubServerUrl: s.github.serverUrl,
        archiveTransfer: 'auto',
        ...b,
        envFile: undefined,
        variables: [],
        force: false,
        rollback: false,
        dryRun: false,
        reviewApp: { baseRepository: s.github.repository, ownVariables: [AFTER_CREATE_VARIABLE] }
    };
}
/** The head commit, through the deploy action's stages (skipped when it is live with these variables). */
async function deployHead(ctx, pr) {
    const settings = deploySettings(ctx.settings, pr, ctx.env);
    const run = (0,context/* createContext */.q)(settings, ctx.env, ctx.clock, ctx.report, ctx.startedAt, ctx.http);
    ctx.deploy = run;
    ctx.report.deployed = true;
    const prepared = await (0,prepare/* prepare */.i)(run);
    if (prepared.decision !== 'deploy')
        return;
    const { deployment, stream } = await (0,deliver/* deliver */.c)(run, prepared);
    if (!settings.wait)
        return log/* info */.pq('wait is false: not following the deployment (after-create needs it)');
    await (0,follow/* followToEnd */.c)(run, deployment, stream);
    await (0,verify/* verify */.M)(run, prepared, deployment);
}
/** after-create, once: when the deployment is live and the review app says it never ran to success. */
async function afterCreateOnce(ctx, sha) {
    const command = ctx.settings.afterCreate;
    const { report } = ctx;
    if (!command)
        return;
    const live = report.status === 'skipped' || (report.status !== undefined && (0,statuses/* isSuccess */.oJ)(report.status));
    if (!live || report.health === 'failed')
        return;
    if (await afterCreateRan(ctx.review)) {
        report.afterCreate = `already ran (${AFTER_CREATE_VARIABLE} is set on ${ctx.settings.name})`;
        return log/* info */.pq(`after-create: ${report.afterCreate}`);
    }
    try {
        const ran = await runAfterCreate({ client: ctx.review, http: ctx.http, clock: ctx.clock, deadline: ctx.deadline, stop: ctx.stop.signal }, { ...ctx.settings.target, app: ctx.settings.name }, command, sha);
        report.afterCreate = `ran on ${ran.container ?? 'a one-off'}: exit 0`;
    }
    catch (err) {
        report.afterCreate = 'failed: it runs again on the next push';
        throw err;
    }
}
async function updateReviewApp(ctx) {
    const { settings: s, report } = ctx;
    const pr = await pullRequestOf(ctx);
    report.sha = pr.headSha;
    if (refuseFork(ctx, pr))
        return;
    await ctx.parent.exchange();
    if (s.behaviour.dryRun)
        return planReviewApp(ctx, pr);
    const { created } = await ensureReviewApp(ctx.parent, s.target.app, s.name);
    report.created = created;
    const wanted = await wantedAddons(ctx.parent, s.addons, s.target.app);
    const addons = await provisionMissing(ctx.review, s.name, wanted);
    report.addonsCreated = addons.created;
    await waitForAddons(ctx.review, s.name, wanted, { clock: ctx.clock, deadline: ctx.deadline, stop: ctx.stop.signal });
    const vars = await applyReviewVariables(ctx.review, ctx.parent, {
        copy: s.copyVariables,
        overrides: ctx.overrides,
        addonProvided: [...addons.variables, ...providedNames(wanted.map(w => w.provider))],
        own: [AFTER_CREATE_VARIABLE]
    });
    report.variablesLine = describeVariables(vars, s.target.app, names => names.join(', ')) || undefined;
    await deployHead(ctx, pr);
    await afterCreateOnce(ctx, pr.headSha);
}

;// CONCATENATED MODULE: ./src/actions/reviewapp.ts















/**
 * The `review-app` action, as a pipeline: settings → the pull request →
 * update (app, addons, variables, deploy, after-create) or destroy →
 * comment → report.
 */
async function runReviewApp(env = process.env, clock = lib_clock/* systemClock */.ml) {
    const startedAt = clock.now();
    const get = name => core/* getInput */.V4(name);
    (0,settings_inputs/* maskSecretInputs */.q)(get);
    const report = (0,reviewapp/* newReviewReport */.Nt)();
    const stop = new AbortController();
    let notify;
    const finish = () => (0,report_finish/* writeOnce */.F)(report, async () => {
        report.durationSeconds = Math.round((clock.now() - startedAt) / 1000);
        (0,reviewapp/* setReviewOutputs */.L8)(report);
        await (0,reviewapp/* writeReviewSummary */.IH)(report, env);
        const cancelled = stop.signal.aborted;
        await (0,report_notify/* notifyChat */.Y6)(notify, (0,report_notify/* reviewNotice */.PD)(report), { env, clock, durationMs: clock.now() - startedAt, cancelled });
    });
    let ctx;
    const beforeExit = async () => {
        stop.abort();
        if (ctx?.deploy)
            await (0,conclude/* cancelled */.KW)(ctx.deploy);
        ctx?.http.dispose();
    };
    const stopGuarding = (0,signals/* guardRun */.js)(report, env, beforeExit, { exit: code => process.exit(code), finish });
    try {
        // Read first: a run refused for any other input still tells the chat.
        notify = (0,settings_notify/* readNotifySettings */.J)(get);
        const settings = readReviewAppSettings(get, env);
        ctx = createReviewContext(settings, env, clock, report, startedAt, stop);
        await runStages(ctx);
    }
    catch (err) {
        (0,failure/* reportFailure */.x)(report, err);
    }
    finally {
        if (ctx)
            await ending(ctx);
        await finish();
        stopGuarding();
    }
}
async function runStages(ctx) {
    const { mode } = ctx.settings;
    if (mode === 'destroy')
        return destroyStage(ctx);
    const pr = await pullRequestOf(ctx);
    // auto: a closed pull request destroys, any other event deploys.
    if (mode === 'auto' && pr.closed)
        return destroyStage(ctx);
    await updateReviewApp(ctx);
}
async function ending(ctx) {
    await commentOnPullRequest(ctx);
    if (ctx.deploy)
        await (0,conclude/* conclude */.Ep)(ctx.deploy);
    ctx.http.dispose();
}


/***/ }),

/***/ 2074:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   d: () => (/* binding */ runOneOff)
/* harmony export */ });
/* harmony import */ var _actions_core__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(2313);
/* harmony import */ var _lib_clock_js__WEBPACK_IMPORTED_MODULE_1__ = __nccwpck_require__(4517);
/* harmony import */ var _lib_errors_js__WEBPACK_IMPORTED_MODULE_2__ = __nccwpck_require__(7268);
/* harmony import */ var _lib_log_js__WEBPACK_IMPORTED_MODULE_3__ = __nccwpck_require__(1025);
/* harmony import */ var _lib_text_js__WEBPACK_IMPORTED_MODULE_4__ = __nccwpck_require__(9112);
/* harmony import */ var _report_failure_js__WEBPACK_IMPORTED_MODULE_5__ = __nccwpck_require__(3304);
/* harmony import */ var _report_notify_js__WEBPACK_IMPORTED_MODULE_6__ = __nccwpck_require__(4669);
/* harmony import */ var _settings_notify_js__WEBPACK_IMPORTED_MODULE_7__ = __nccwpck_require__(2584);
/* harmony import */ var _report_finish_js__WEBPACK_IMPORTED_MODULE_8__ = __nccwpck_require__(9547);
/* harmony import */ var _report_oneoff_js__WEBPACK_IMPORTED_MODULE_9__ = __nccwpck_require__(2829);
/* harmony import */ var _scalingo_client_js__WEBPACK_IMPORTED_MODULE_10__ = __nccwpck_require__(8211);
/* harmony import */ var _scalingo_regions_js__WEBPACK_IMPORTED_MODULE_11__ = __nccwpck_require__(6487);
/* harmony import */ var _settings_inputs_js__WEBPACK_IMPORTED_MODULE_12__ = __nccwpck_require__(7428);
/* harmony import */ var _settings_oneoff_js__WEBPACK_IMPORTED_MODULE_13__ = __nccwpck_require__(4840);
/* harmony import */ var _stages_context_js__WEBPACK_IMPORTED_MODULE_14__ = __nccwpck_require__(2088);
/* harmony import */ var _stages_oneoff_attended_js__WEBPACK_IMPORTED_MODULE_15__ = __nccwpck_require__(9355);
/* harmony import */ var _stages_oneoff_start_js__WEBPACK_IMPORTED_MODULE_16__ = __nccwpck_require__(4417);

















/**
 * The `run` action, as a pipeline: settings → the app → start (at most
 * once) → attach → output → exit code → report. Detached one-offs stop
 * after the start; a dry run after the app.
 */
/** After a cancellation, the run ends by itself within this long, whatever it was waiting for. */
const CANCEL_LIMIT_MS = 8_000;
async function runOneOff(env = process.env, clock = _lib_clock_js__WEBPACK_IMPORTED_MODULE_1__/* .systemClock */ .ml) {
    const startedAt = clock.now();
    const get = name => _actions_core__WEBPACK_IMPORTED_MODULE_0__/* .getInput */ .V4(name);
    (0,_settings_inputs_js__WEBPACK_IMPORTED_MODULE_12__/* .maskRunInputs */ .Br)(get);
    const report = (0,_report_oneoff_js__WEBPACK_IMPORTED_MODULE_9__/* .newOneOffReport */ .om)();
    const stop = new AbortController();
    let notify;
    const finish = () => (0,_report_finish_js__WEBPACK_IMPORTED_MODULE_8__/* .writeOnce */ .F)(report, async () => {
        report.durationSeconds = Math.round((clock.now() - startedAt) / 1000);
        (0,_report_oneoff_js__WEBPACK_IMPORTED_MODULE_9__/* .setOneOffOutputs */ .uu)(report);
        await (0,_report_oneoff_js__WEBPACK_IMPORTED_MODULE_9__/* .writeOneOffSummary */ .PO)(report, env);
        const cancelled = stop.signal.aborted;
        await (0,_report_notify_js__WEBPACK_IMPORTED_MODULE_6__/* .notifyChat */ .Y6)(notify, (0,_report_notify_js__WEBPACK_IMPORTED_MODULE_6__/* .oneOffNotice */ .y)(report), { env, clock, durationMs: clock.now() - startedAt, cancelled });
    });
    const unguard = guardOneOff(stop, report, finish);
    let ctx;
    try {
        notify = (0,_settings_notify_js__WEBPACK_IMPORTED_MODULE_7__/* .readNotifySettings */ .J)(get);
        ctx = oneOffContext((0,_settings_oneoff_js__WEBPACK_IMPORTED_MODULE_13__/* .readOneOffSettings */ .bJ)(get), clock, startedAt, stop, report);
        await runStages(ctx, report);
    }
    catch (err) {
        report.status ??= 'error';
        (0,_report_failure_js__WEBPACK_IMPORTED_MODULE_5__/* .reportFailure */ .x)(report, err);
    }
    finally {
        ctx?.http.dispose();
        await finish();
        unguard();
    }
}
function oneOffContext(settings, clock, startedAt, stop, report) {
    Object.assign(report, {
        app: settings.app,
        region: settings.region,
        command: settings.command,
        envNames: settings.env.map(v => v.name),
        size: settings.size,
        detached: settings.detached
    });
    const deadline = startedAt + settings.timeoutSeconds * 1000;
    const http = (0,_stages_context_js__WEBPACK_IMPORTED_MODULE_14__/* .actionHttp */ .f)(clock, deadline);
    const { app, region, apiUrl, authUrl, apiToken } = settings;
    const client = new _scalingo_client_js__WEBPACK_IMPORTED_MODULE_10__/* .ScalingoClient */ .GK(http, { app, region, apiUrl, authUrl, apiToken, clock });
    return { settings, clock, http, client, deadline, stop };
}
async function runStages(ctx, report) {
    const { settings: s, client } = ctx;
    await client.exchange();
    await client.getApp();
    if (s.dryRun)
        return plan(s, report);
    if (ctx.stop.signal.aborted)
        throw new _lib_errors_js__WEBPACK_IMPORTED_MODULE_2__/* .ActionError */ .lZ('cancelled before the one-off was started: nothing ran');
    const started = await (0,_stages_oneoff_start_js__WEBPACK_IMPORTED_MODULE_16__/* .startOneOff */ .qb)(client, s);
    report.container = started.label || undefined;
    _lib_log_js__WEBPACK_IMPORTED_MODULE_3__/* .info */ .pq(`Started one-off ${started.label || '(no label)'} on ${s.app}: ${(0,_report_oneoff_js__WEBPACK_IMPORTED_MODULE_9__/* .commandLabel */ .Md)(s.command)}${s.detached ? ' (detached)' : ''}`);
    if (s.detached) {
        report.status = 'detached';
        return _lib_log_js__WEBPACK_IMPORTED_MODULE_3__/* .info */ .pq(`Detached: Scalingo reports no exit code for a detached one-off; its output goes to the app's logs: ${(0,_scalingo_regions_js__WEBPACK_IMPORTED_MODULE_11__/* .oneOffLogsCommand */ .ak)(s.region, s.app, started.label)}`);
    }
    const attachUrl = await (0,_stages_oneoff_start_js__WEBPACK_IMPORTED_MODULE_16__/* .attachUrlOf */ .gx)(client, started, {
        clock: ctx.clock,
        deadline: ctx.deadline,
        apiUrl: s.apiUrl,
        stop: ctx.stop.signal
    });
    await (0,_stages_oneoff_attended_js__WEBPACK_IMPORTED_MODULE_15__/* .attendOneOff */ .O)({ ...ctx, stop: ctx.stop.signal }, attachUrl, report);
}
function plan(s, report) {
    report.status = 'dry-run';
    report.plan = [
        `app: ${s.app} in ${s.region} (${s.apiUrl}) — found, token accepted`,
        `command: ${(0,_lib_text_js__WEBPACK_IMPORTED_MODULE_4__/* .oneLine */ .TN)(s.command, 500)}`,
        `env: ${s.env.length ? s.env.map(v => v.name).join(', ') : '(none)'}`,
        `size: ${s.size ?? "Scalingo's default"}`,
        s.detached
            ? 'detached: started, not attached (no exit code)'
            : `attached: output shown, exit code awaited, for up to ${(0,_lib_clock_js__WEBPACK_IMPORTED_MODULE_1__/* .formatDuration */ .a3)(s.timeoutSeconds * 1000)}`
    ];
    _lib_log_js__WEBPACK_IMPORTED_MODULE_3__/* .info */ .pq(`Dry run: checked, nothing started.\n${report.plan.map(l => `  ${l}`).join('\n')}`);
}
/**
 * Cancellation (the runner's SIGINT, then SIGTERM): the pipeline is told
 * (Ctrl-C to an attached command, its exit code awaited a few seconds), and
 * if it has not ended within CANCEL_LIMIT_MS the outputs and summary are
 * written and the process exits 1 all the same.
 */
function guardOneOff(stop, report, finish) {
    const onSignal = (signal) => {
        if (stop.signal.aborted)
            return;
        _lib_log_js__WEBPACK_IMPORTED_MODULE_3__/* .info */ .pq(`(${signal} received: stopping)`);
        report.status = report.status === 'detached' || report.status === 'dry-run' ? report.status : 'cancelled';
        stop.abort();
        const limit = setTimeout(() => {
            report.error ??= `cancelled (${signal})`;
            _actions_core__WEBPACK_IMPORTED_MODULE_0__/* .setFailed */ .C1(report.error);
            void finish().finally(() => process.exit(1));
        }, CANCEL_LIMIT_MS);
        limit.unref();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    return () => {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
    };
}


/***/ }),

/***/ 7592:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   HA: () => (/* binding */ publicArchiveUrl),
/* harmony export */   Qq: () => (/* binding */ repoName),
/* harmony export */   af: () => (/* binding */ repoWebUrl),
/* harmony export */   i: () => (/* binding */ encodeRef),
/* harmony export */   qN: () => (/* binding */ repoPath)
/* harmony export */ });
/** GitHub repositories, URLs and paths, pure: refs encoded, archives named by commit. */
/** Each path segment encoded on its own: branch names keep their slashes. */
function encodeRef(ref) {
    return ref.split('/').map(encodeURIComponent).join('/');
}
/** `owner/name`, as users write it. */
function repoName(repo) {
    return `${repo.owner}/${repo.repo}`;
}
/** The repository's page: `${GITHUB_SERVER_URL}/{owner}/{repo}`. */
function repoWebUrl(serverUrl, repo) {
    return `${serverUrl}/${encodeURIComponent(repo.owner)}/${encodeURIComponent(repo.repo)}`;
}
function repoPath(repo) {
    return `/repos/${encodeURIComponent(repo.owner)}/${encodeURIComponent(repo.repo)}`;
}
/** `${GITHUB_SERVER_URL}/{owner}/{repo}/archive/{sha}.tar.gz`: public, no credentials. */
function publicArchiveUrl(serverUrl, repo, sha) {
    return `${repoWebUrl(serverUrl, repo)}/archive/${sha}.tar.gz`;
}


/***/ }),

/***/ 6584:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   j: () => (/* binding */ GitHubClient)
/* harmony export */ });
/* harmony import */ var _lib_errors_js__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(7268);
/* harmony import */ var _lib_http_js__WEBPACK_IMPORTED_MODULE_1__ = __nccwpck_require__(1931);
/* harmony import */ var _lib_refs_js__WEBPACK_IMPORTED_MODULE_5__ = __nccwpck_require__(9265);
/* harmony import */ var _lib_secrets_js__WEBPACK_IMPORTED_MODULE_2__ = __nccwpck_require__(5714);
/* harmony import */ var _lib_urls_js__WEBPACK_IMPORTED_MODULE_3__ = __nccwpck_require__(1281);
/* harmony import */ var _archives_js__WEBPACK_IMPORTED_MODULE_4__ = __nccwpck_require__(7592);






class GitHubClient {
    http;
    config;
    constructor(http, config) {
        this.http = http;
        this.config = config;
    }
    /** A request to the API with GitHub's headers and the token. */
    async request(opts) {
        const { path, mediaType, ...rest } = opts;
        const headers = {
            Accept: mediaType ?? 'application/vnd.github+json',
            'X-GitHub-Api-Version': '2022-11-28'
        };
        const url = `${this.config.apiUrl}${path}`;
        if (this.config.token) {
            // The one rule for where a token travels, whichever stage asks (rollback and compare included).
            if (!(0,_lib_urls_js__WEBPACK_IMPORTED_MODULE_3__/* .mayCarrySecrets */ ._1)(url))
                throw new _lib_errors_js__WEBPACK_IMPORTED_MODULE_0__/* .ActionError */ .lZ(`GITHUB_API_URL ${(0,_lib_urls_js__WEBPACK_IMPORTED_MODULE_3__/* .safeUrl */ .Pl)(this.config.apiUrl)} is not https: not sending the GitHub token there`);
            headers.Authorization = `Bearer ${this.config.token}`;
        }
        return this.http.request({ ...rest, url, headers });
    }
    /** A JSON answer, parsed. */
    async json(opts) {
        const res = await this.request(opts);
        return (0,_lib_http_js__WEBPACK_IMPORTED_MODULE_1__/* .parseJson */ .qF)(res, { method: opts.method, url: `${this.config.apiUrl}${opts.path}` });
    }
    async getVisibility(repo) {
        const name = (0,_archives_js__WEBPACK_IMPORTED_MODULE_4__/* .repoName */ .Qq)(repo);
        try {
            const data = await this.json({
                method: 'GET',
                path: (0,_archives_js__WEBPACK_IMPORTED_MODULE_4__/* .repoPath */ .qN)(repo),
                retry: 'idempotent'
            });
            if (data.visibility === 'public' || data.visibility === 'private' || data.visibility === 'internal')
                return data.visibility;
            if (typeof data.private === 'boolean')
                return data.private ? 'private' : 'public';
            return 'unknown';
        }
        catch (err) {
            if (err instanceof _lib_errors_js__WEBPACK_IMPORTED_MODULE_0__/* .HttpError */ .j$ && (err.status === 404 || err.status === 403 || err.status === 401)) {
                throw new _lib_errors_js__WEBPACK_IMPORTED_MODULE_0__/* .ActionError */ .lZ(`GitHub repository ${name} was not found or is not readable with github-token (${err.status}: ${err.serverMessage})`, 'check the repository input and that github-token can read it (permissions: contents: read)');
            }
            throw err;
        }
    }
    /** Tag, branch, short or full SHA → the full commit SHA. */
    async resolveSha(repo, ref) {
        const name = (0,_archives_js__WEBPACK_IMPORTED_MODULE_4__/* .repoName */ .Qq)(repo);
        try {
            const { body } = await this.request({
                method: 'GET',
                path: `${(0,_archives_js__WEBPACK_IMPORTED_MODULE_4__/* .repoPath */ .qN)(repo)}/commits/${(0,_archives_js__WEBPACK_IMPORTED_MODULE_4__/* .encodeRef */ .i)(ref)}`,
                mediaType: 'application/vnd.github.sha',
                retry: 'idempotent'
            });
            let sha = body.trim();
            // A server ignoring the sha media type answers the JSON commit.
            if (sha.startsWith('{')) {
                const parsed = JSON.parse(sha).sha;
                sha = typeof parsed === 'string' ? parsed : '';
            }
            if (!(0,_lib_refs_js__WEBPACK_IMPORTED_MODULE_5__/* .isFullSha */ .Wf)(sha))
                throw new _lib_errors_js__WEBPACK_IMPORTED_MODULE_0__/* .ActionError */ .lZ(`GitHub answered an unexpected body when resolving ref "${ref}" in ${name}`);
            return sha.toLowerCase();
        }
        catch (err) {
            if (err instanceof _lib_errors_js__WEBPACK_IMPORTED_MODULE_0__/* .HttpError */ .j$ && (err.status === 404 || err.status === 422 || err.status === 409)) {
                throw new _lib_errors_js__WEBPACK_IMPORTED_MODULE_0__/* .ActionError */ .lZ(`ref "${ref}" was not found in ${name} (${err.status}: ${err.serverMessage})`, 'give an existing tag, branch or commit SHA');
            }
            throw err;
        }
    }
    /**
     * The short-lived signed archive URL of a commit, from the tarball
     * endpoint's redirect. Masked the moment it is read.
     */
    async signedTarballUrl(repo, sha) {
        const res = await this.request({
            method: 'GET',
            path: `${(0,_archives_js__WEBPACK_IMPORTED_MODULE_4__/* .repoPath */ .qN)(repo)}/tarball/${sha}`,
            retry: 'idempotent',
            accept: [301, 302, 303, 307, 308],
            maxBodyBytes: 64 * 1024
        });
        return this.location(res, repo);
    }
    /**
     * A file of the repository at a commit (contents API), or undefined when
     * it does not exist there (404).
     */
    async getFile(repo, path, sha) {
        try {
            const data = await this.json({
                method: 'GET',
                path: `${(0,_archives_js__WEBPACK_IMPORTED_MODULE_4__/* .repoPath */ .qN)(repo)}/contents/${(0,_archives_js__WEBPACK_IMPORTED_MODULE_4__/* .encodeRef */ .i)(path)}?ref=${encodeURIComponent(sha)}`,
                retry: 'idempotent'
            });
            if (typeof data.content !== 'string')
                return undefined;
            return data.encoding === 'base64' ? Buffer.from(data.content, 'base64').toString('utf8') : data.content;
        }
        catch (err) {
            if (err instanceof _lib_errors_js__WEBPACK_IMPORTED_MODULE_0__/* .HttpError */ .j$ && err.status === 404)
                return undefined;
            throw err;
        }
    }
    /**
     * How `head` relates to `base` (`GET …/compare/{base}...{head}`): ahead,
     * behind, identical or diverged; undefined when GitHub cannot say (no
     * permission, another repository, an unknown commit).
     */
    async compare(repo, base, head) {
        try {
            const data = await this.json({
                method: 'GET',
                path: `${(0,_archives_js__WEBPACK_IMPORTED_MODULE_4__/* .repoPath */ .qN)(repo)}/compare/${encodeURIComponent(base)}...${encodeURIComponent(head)}`,
                retry: 'idempotent',
                maxBodyBytes: 4 * 1024 * 1024
            });
            const status = data.status;
            return status === 'ahead' || status === 'behind' || status === 'identical' || status === 'diverged'
                ? status
                : undefined;
        }
        catch (err) {
            if (err instanceof _lib_errors_js__WEBPACK_IMPORTED_MODULE_0__/* .HttpError */ .j$ && [401, 403, 404, 422].includes(err.status))
                return undefined;
            throw err;
        }
    }
    location(res, repo) {
        const loc = (0,_lib_http_js__WEBPACK_IMPORTED_MODULE_1__/* .headerValue */ .Z)(res.headers.location);
        if (res.status < 300 || !loc) {
            throw new _lib_errors_js__WEBPACK_IMPORTED_MODULE_0__/* .ActionError */ .lZ(`GitHub's tarball endpoint for ${(0,_archives_js__WEBPACK_IMPORTED_MODULE_4__/* .repoName */ .Qq)(repo)} did not redirect to an archive (status ${res.status})`);
        }
        const url = new URL(loc, `${this.config.apiUrl}/`).toString();
        (0,_lib_secrets_js__WEBPACK_IMPORTED_MODULE_2__/* .registerSecretUrl */ .l2)(url);
        const problem = (0,_lib_urls_js__WEBPACK_IMPORTED_MODULE_3__/* .answerUrlProblem */ .Hc)(url);
        if (problem)
            throw new _lib_errors_js__WEBPACK_IMPORTED_MODULE_0__/* .ActionError */ .lZ(`GitHub's tarball endpoint for ${(0,_archives_js__WEBPACK_IMPORTED_MODULE_4__/* .repoName */ .Qq)(repo)} redirected to a URL that cannot be used: ${problem}`);
        return url;
    }
}


/***/ }),

/***/ 6887:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   P: () => (/* binding */ GitHubDeployment),
/* harmony export */   Q: () => (/* binding */ deactivateEnvironment)
/* harmony export */ });
/* harmony import */ var _lib_log_js__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(1025);
/* harmony import */ var _lib_errors_js__WEBPACK_IMPORTED_MODULE_1__ = __nccwpck_require__(7268);
/* harmony import */ var _lib_text_js__WEBPACK_IMPORTED_MODULE_2__ = __nccwpck_require__(9112);
/* harmony import */ var _archives_js__WEBPACK_IMPORTED_MODULE_3__ = __nccwpck_require__(7592);




class GitHubDeployment {
    github;
    repo;
    environment;
    options;
    id;
    disabled = false;
    /** Once a final state is recorded, nothing else is: a cancelled run's `error` is not overwritten. */
    finished = false;
    constructor(github, repo, environment, options = {}) {
        this.github = github;
        this.repo = repo;
        this.environment = environment;
        this.options = options;
    }
    get created() {
        return this.id !== undefined;
    }
    /** For the summary: what was recorded, or why not. */
    describe() {
        if (this.id !== undefined)
            return `${this.id} in environment "${this.environment}"`;
        return `not recorded in "${this.environment}" (see the warning)`;
    }
    giveUp(err) {
        this.disabled = true;
        const perm = err instanceof _lib_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .HttpError */ .j$ && (err.status === 403 || err.status === 404 || err.status === 401);
        _lib_log_js__WEBPACK_IMPORTED_MODULE_0__/* .warning */ .$e(perm
            ? `Could not record a GitHub deployment in "${this.environment}" (${err.status}: ${err.serverMessage}); give the workflow "permissions: deployments: write". The Scalingo deployment goes on.`
            : `Could not record a GitHub deployment in "${this.environment}": ${(0,_lib_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .describeError */ .Uc)(err)}. The Scalingo deployment goes on.`);
    }
    async create(sha, description) {
        if (this.disabled)
            return;
        try {
            const data = await this.github.json({
                method: 'POST',
                path: `${(0,_archives_js__WEBPACK_IMPORTED_MODULE_3__/* .repoPath */ .qN)(this.repo)}/deployments`,
                // Not retried blindly: a second POST would record a second deployment.
                retry: 'unsent-only',
                json: {
                    ref: sha,
                    environment: this.environment,
                    description: (0,_lib_text_js__WEBPACK_IMPORTED_MODULE_2__/* .cut */ .Jj)(description, 140),
                    auto_merge: false,
                    required_contexts: [],
                    transient_environment: this.options.transient === true,
                    production_environment: !this.options.transient && /^prod(uction)?$/i.test(this.environment)
                }
            });
            if (typeof data.id !== 'number')
                throw new Error('GitHub answered without a deployment id');
            this.id = data.id;
            _lib_log_js__WEBPACK_IMPORTED_MODULE_0__/* .info */ .pq(`Recorded GitHub deployment ${this.id} in environment "${this.environment}"`);
        }
        catch (err) {
            this.giveUp(err);
        }
    }
    /** Posts a new status of the GitHub deployment. */
    async recordStatus(state, opts = {}) {
        if (this.disabled || this.id === undefined || this.finished)
            return;
        if (state !== 'in_progress')
            this.finished = true;
        const path = `${(0,_archives_js__WEBPACK_IMPORTED_MODULE_3__/* .repoPath */ .qN)(this.repo)}/deployments/${this.id}/statuses`;
        const json = {
            state,
            log_url: opts.logUrl,
            environment_url: opts.environmentUrl,
            description: opts.description ? (0,_lib_text_js__WEBPACK_IMPORTED_MODULE_2__/* .cut */ .Jj)(opts.description, 140) : undefined,
            auto_inactive: state === 'success'
        };
        // A status POST is not idempotent (each one is recorded): after an unclear
        // answer, the statuses say whether it was, and it is posted again only if not.
        for (let attempt = 1;; attempt++) {
            try {
                await this.github.request({ method: 'POST', path, retry: 'unsent-only', json });
                return;
            }
            catch (err) {
                if (attempt > 1 || !(0,_lib_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .mayHaveBeenProcessed */ .uZ)(err))
                    return this.giveUp(err);
                const recorded = await this.recorded(path, state, json.description);
                if (recorded === true)
                    return;
                if (recorded === undefined)
                    return this.giveUp(err);
                _lib_log_js__WEBPACK_IMPORTED_MODULE_0__/* .debug */ .Yz(`GitHub deployment status ${state}: no clear answer (${(0,_lib_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .describeError */ .Uc)(err)}), and not recorded: posting it again`);
            }
        }
    }
    /** Whether the newest status already says `state` (GitHub lists newest first); undefined when it cannot be read. */
    async recorded(path, state, description) {
        try {
            const list = await this.github.json({ method: 'GET', path: `${path}?per_page=5`, retry: 'idempotent' });
            if (!Array.isArray(list))
                return undefined;
            return list.some(s => s?.state === state && (description === undefined || s.description === description));
        }
        catch (err) {
            _lib_log_js__WEBPACK_IMPORTED_MODULE_0__/* .debug */ .Yz(`could not read the GitHub deployment's statuses: ${(0,_lib_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .describeError */ .Uc)(err)}`);
            return undefined;
        }
    }
}
/**
 * A destroyed review app's environment: each of its GitHub deployments
 * marked `inactive` (the newest 100), so the pull request shows nothing
 * live. Optional by nature: a failure is a warning.
 */
async function deactivateEnvironment(github, repo, environment) {
    try {
        const list = await github.json({
            method: 'GET',
            path: `${(0,_archives_js__WEBPACK_IMPORTED_MODULE_3__/* .repoPath */ .qN)(repo)}/deployments?environment=${encodeURIComponent(environment)}&per_page=100`,
            retry: 'idempotent'
        });
        const ids = Array.isArray(list)
            ? list.map(d => d?.id).filter((id) => typeof id === 'number')
            : [];
        for (const id of ids) {
            // Posting `inactive` twice records nothing new that matters: retried like a read.
            await github.request({
                method: 'POST',
                path: `${(0,_archives_js__WEBPACK_IMPORTED_MODULE_3__/* .repoPath */ .qN)(repo)}/deployments/${id}/statuses`,
                json: { state: 'inactive', description: 'Review app destroyed' },
                retry: 'idempotent'
            });
        }
        _lib_log_js__WEBPACK_IMPORTED_MODULE_0__/* .info */ .pq(`Marked ${ids.length} GitHub deployment${ids.length === 1 ? '' : 's'} of "${environment}" inactive`);
        return ids.length;
    }
    catch (err) {
        _lib_log_js__WEBPACK_IMPORTED_MODULE_0__/* .warning */ .$e(`Could not mark the GitHub environment "${environment}" inactive: ${(0,_lib_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .describeError */ .Uc)(err)}`);
        return 0;
    }
}


/***/ }),

/***/ 9407:
/***/ ((module, __webpack_exports__, __nccwpck_require__) => {

__nccwpck_require__.a(module, async (__webpack_handle_async_dependencies__, __webpack_async_result__) => { try {
/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   K8: () => (/* binding */ deployAction),
/* harmony export */   M0: () => (/* binding */ reviewAppAction),
/* harmony export */   WV: () => (/* binding */ oneOffAction)
/* harmony export */ });
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(3024);
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__nccwpck_require__.n(node_fs__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var node_url__WEBPACK_IMPORTED_MODULE_1__ = __nccwpck_require__(3136);
/* harmony import */ var node_url__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__nccwpck_require__.n(node_url__WEBPACK_IMPORTED_MODULE_1__);
/* harmony import */ var _actions_reviewapp_js__WEBPACK_IMPORTED_MODULE_2__ = __nccwpck_require__(2310);
/* harmony import */ var _actions_run_js__WEBPACK_IMPORTED_MODULE_3__ = __nccwpck_require__(2074);
/* harmony import */ var _lib_heap_js__WEBPACK_IMPORTED_MODULE_4__ = __nccwpck_require__(9273);
/* harmony import */ var _main_js__WEBPACK_IMPORTED_MODULE_5__ = __nccwpck_require__(1730);
/**
 * The actions' one bundle (`dist/index.js`). Run as the main module it is
 * the deploy action (action.yml); the other actions' entry files
 * (`run/main.js`, `review-app/main.js`) import it and call theirs.
 */






/** The deploy action. */
async function deployAction() {
    (0,_lib_heap_js__WEBPACK_IMPORTED_MODULE_4__/* .keepYoungGenerationSmall */ .D)();
    await (0,_main_js__WEBPACK_IMPORTED_MODULE_5__/* .run */ .e)();
}
/** The `run` action: a one-off command. */
async function oneOffAction() {
    (0,_lib_heap_js__WEBPACK_IMPORTED_MODULE_4__/* .keepYoungGenerationSmall */ .D)();
    await (0,_actions_run_js__WEBPACK_IMPORTED_MODULE_3__/* .runOneOff */ .d)();
}
/** The `review-app` action: a pull request's review app, created, updated or destroyed. */
async function reviewAppAction() {
    (0,_lib_heap_js__WEBPACK_IMPORTED_MODULE_4__/* .keepYoungGenerationSmall */ .D)();
    await (0,_actions_reviewapp_js__WEBPACK_IMPORTED_MODULE_2__/* .runReviewApp */ .n)();
}
/** Whether Node was started on this file (not imported by another action's entry). */
function isMain() {
    try {
        return (0,node_fs__WEBPACK_IMPORTED_MODULE_0__.realpathSync)(process.argv[1] ?? '') === (0,node_fs__WEBPACK_IMPORTED_MODULE_0__.realpathSync)((0,node_url__WEBPACK_IMPORTED_MODULE_1__.fileURLToPath)(import.meta.url));
    }
    catch {
        return false;
    }
}
if (isMain())
    await deployAction();

__webpack_async_result__();
} catch(e) { __webpack_async_result__(e); } }, 1);

/***/ }),

/***/ 4517:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   OJ: () => (/* binding */ beforeDeadline),
/* harmony export */   a3: () => (/* binding */ formatDuration),
/* harmony export */   ml: () => (/* binding */ systemClock)
/* harmony export */ });
const systemClock = {
    now: () => Date.now(),
    sleep: (ms, signal) => new Promise(resolve => {
        if (signal?.aborted)
            return resolve();
        const done = () => {
            clearTimeout(timer);
            signal?.removeEventListener('abort', done);
            resolve();
        };
        const timer = setTimeout(done, Math.max(0, ms));
        signal?.addEventListener('abort', done, { once: true });
    })
};
/** `90s`, `15m`, `1h`, `1h30m`, `2m30s`: human durations in messages. */
function formatDuration(ms) {
    const total = Math.round(ms / 1000);
    if (total < 60)
        return `${total}s`;
    const h = Math.floor(total / 3600);
    const m = Math.floor((total % 3600) / 60);
    const s = total % 60;
    return `${h ? `${h}h` : ''}${m ? `${m}m` : ''}${s ? `${s}s` : ''}` || '0s';
}
/**
 * Settles with `p`, or with `onExpiry()` once `deadline` (ms since epoch) has
 * passed: a hung request never holds the run. `onExpiry` may throw.
 */
async function beforeDeadline(p, deadline, clock, onExpiry) {
    if (deadline === Infinity)
        return p;
    let timer;
    const expired = new Promise((resolve, reject) => {
        timer = setTimeout(() => {
            try {
                resolve(onExpiry());
            }
            catch (err) {
                reject(err instanceof Error ? err : new Error(String(err)));
            }
        }, Math.max(0, deadline - clock.now()));
    });
    try {
        return await Promise.race([p, expired]);
    }
    finally {
        clearTimeout(timer);
    }
}


/***/ }),

/***/ 7268:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   Dr: () => (/* binding */ NetworkError),
/* harmony export */   Uc: () => (/* binding */ describeError),
/* harmony export */   dz: () => (/* binding */ InputError),
/* harmony export */   j$: () => (/* binding */ HttpError),
/* harmony export */   lZ: () => (/* binding */ ActionError),
/* harmony export */   mo: () => (/* binding */ extractServerMessage),
/* harmony export */   uZ: () => (/* binding */ mayHaveBeenProcessed),
/* harmony export */   x6: () => (/* binding */ networkError)
/* harmony export */ });
/* unused harmony exports isUnsentCode, decodeJsonEscapes */
/* harmony import */ var _secrets_js__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(5714);
/* harmony import */ var _text_js__WEBPACK_IMPORTED_MODULE_1__ = __nccwpck_require__(9112);
/* harmony import */ var _urls_js__WEBPACK_IMPORTED_MODULE_2__ = __nccwpck_require__(1281);



/**
 * An error meant for the user: its message is the one line `core.setFailed`
 * prints, the hint says what to check. Nothing else reaches the user.
 */
class ActionError extends Error {
    hint;
    /** The annotation's title, when the failure deserves one (`Scalingo build-error`). */
    title;
    constructor(message, hint, title) {
        super(message);
        this.name = 'ActionError';
        this.hint = hint;
        this.title = title;
    }
}
/** An input that cannot be used: raised before any request is made. */
class InputError extends ActionError {
    input;
    constructor(input, message) {
        super(`Input '${input}': ${message}`);
        this.name = 'InputError';
        this.input = input;
    }
}
/** A non-2xx answer, with what the server said about it. */
class HttpError extends Error {
    status;
    method;
    /** The URL without query string or credentials: safe to print. */
    url;
    /** The server's own message, extracted from JSON or text, one line. */
    serverMessage;
    requestId;
    headers;
    constructor(opts) {
        super(`${opts.method} ${opts.url} answered ${opts.status}: ${opts.serverMessage}`);
        this.name = 'HttpError';
        this.status = opts.status;
        this.method = opts.method;
        this.url = opts.url;
        this.serverMessage = opts.serverMessage;
        this.requestId = opts.requestId;
        this.headers = opts.headers;
    }
}
/** No HTTP answer at all: refused, reset, timed out, DNS failure. */
class NetworkError extends Error {
    code;
    method;
    url;
    /** True when the request certainly never reached the server (safe to send again). */
    unsent;
    constructor(opts) {
        super(`${opts.method} ${opts.url} failed: ${opts.cause}`);
        this.name = 'NetworkError';
        this.code = opts.code;
        this.method = opts.method;
        this.url = opts.url;
        this.unsent = opts.unsent;
    }
}
/** Error codes raised before a single byte of the request left this machine. */
const UNSENT_CODES = new Set([
    'ECONNREFUSED',
    'ENOTFOUND',
    'EAI_AGAIN',
    'ENETUNREACH',
    'EHOSTUNREACH',
    'ERR_INVALID_URL'
]);
function isUnsentCode(code) {
    return code !== undefined && UNSENT_CODES.has(code);
}
/**
 * Whether a request that must not be sent twice may have been acted on
 * although it failed: no answer after it left, a 5xx, or a 2xx whose body
 * could not be read. Only then is it looked up instead of refused.
 */
function mayHaveBeenProcessed(err) {
    if (err instanceof NetworkError)
        return !err.unsent;
    return err instanceof HttpError && (err.status >= 500 || (err.status >= 200 && err.status < 300));
}
/**
 * A Node error (refused, reset, timed out…) as a NetworkError: the URL
 * without query, only our own words for the cause (http-client's timeout
 * message carries the path and query).
 */
function networkError(err, method, url, fallback = 'network error') {
    const e = err;
    const cause = e.code
        ? e.code
        : /timeout/i.test(e.message ?? '')
            ? 'request timed out'
            : e.message
                ? (0,_text_js__WEBPACK_IMPORTED_MODULE_1__/* .oneLine */ .TN)(e.message, 120)
                : fallback;
    return new NetworkError({
        code: e.code,
        method,
        url: (0,_urls_js__WEBPACK_IMPORTED_MODULE_2__/* .safeUrl */ .Pl)(url),
        cause: (0,_secrets_js__WEBPACK_IMPORTED_MODULE_0__/* .scrub */ ._I)(cause),
        unsent: isUnsentCode(e.code)
    });
}
/**
 * JSON string escapes in a text that is not JSON (a cut body, a JSON
 * fragment in plain text) decoded, so a secret written `\u0026`- or
 * `\/`-escaped is scrubbed like any other.
 */
function decodeJsonEscapes(text) {
    const simple = { '"': '"', '\\': '\\', '/': '/', b: ' ', f: ' ', n: '\n', r: '\r', t: '\t' };
    return text.replace(/\\(u[0-9a-fA-F]{4}|["\\/bfnrt])/g, (_m, e) => e.length === 5 ? String.fromCharCode(parseInt(e.slice(1), 16)) : simple[e]);
}
/**
 * Pulls a readable message out of whatever an API answered: Scalingo's
 * `{"error"}`, `{"errors": {field: [..]}}`, GitHub's `{"message"}`, an HTML
 * page from a proxy, plain text, or nothing.
 */
function extractServerMessage(body, contentType) {
    const trimmed = body.trim();
    if (trimmed === '')
        return '(empty body)';
    let parsed;
    try {
        parsed = JSON.parse(trimmed);
    }
    catch {
        parsed = undefined;
    }
    if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) {
        const o = parsed;
        const parts = [];
        if (typeof o.error === 'string' && o.error)
            parts.push(o.error);
        else if (o.error && typeof o.error === 'object')
            parts.push(JSON.stringify(o.error));
        if (typeof o.message === 'string' && o.message)
            parts.push(o.message);
        if (o.errors && typeof o.errors === 'object') {
            if (Array.isArray(o.errors)) {
                for (const e of o.errors)
                    parts.push(typeof e === 'string' ? e : JSON.stringify(e));
            }
            else {
                for (const [field, msgs] of Object.entries(o.errors)) {
                    const list = Array.isArray(msgs) ? msgs.map(String).join(', ') : String(msgs);
                    parts.push(`${field} ${list}`);
                }
            }
        }
        if (parts.length > 0)
            return (0,_text_js__WEBPACK_IMPORTED_MODULE_1__/* .oneLine */ .TN)(parts.join('; '));
        return (0,_text_js__WEBPACK_IMPORTED_MODULE_1__/* .oneLine */ .TN)(decodeJsonEscapes(trimmed));
    }
    if ((contentType ?? '').includes('html') || /^<(!doctype|html)/i.test(trimmed)) {
        const title = /<title[^>]*>([^<]*)<\/title>/i.exec(trimmed)?.[1];
        const text = decodeJsonEscapes(title ?? trimmed.replace(/<[^>]*>/g, ' ')).trim();
        return (0,_text_js__WEBPACK_IMPORTED_MODULE_1__/* .oneLine */ .TN)(`HTML page: ${text || '(no text)'}`, 200);
    }
    return (0,_text_js__WEBPACK_IMPORTED_MODULE_1__/* .oneLine */ .TN)(decodeJsonEscapes(trimmed), 200);
}
/** The message shown to the user for any error, scrubbed of every secret. */
function describeError(err) {
    if (err instanceof ActionError) {
        return (0,_text_js__WEBPACK_IMPORTED_MODULE_1__/* .oneLine */ .TN)((0,_secrets_js__WEBPACK_IMPORTED_MODULE_0__/* .scrub */ ._I)(err.hint ? `${err.message} (${err.hint})` : err.message), 1000);
    }
    if (err instanceof HttpError) {
        const rid = err.requestId ? ` [request id ${err.requestId}]` : '';
        return (0,_text_js__WEBPACK_IMPORTED_MODULE_1__/* .oneLine */ .TN)((0,_secrets_js__WEBPACK_IMPORTED_MODULE_0__/* .scrub */ ._I)(`${err.method} ${err.url} answered ${err.status}: ${err.serverMessage}${rid}`), 1000);
    }
    if (err instanceof Error)
        return (0,_text_js__WEBPACK_IMPORTED_MODULE_1__/* .oneLine */ .TN)((0,_secrets_js__WEBPACK_IMPORTED_MODULE_0__/* .scrub */ ._I)(err.message || err.name), 1000);
    if (err !== null && typeof err === 'object') {
        try {
            return (0,_text_js__WEBPACK_IMPORTED_MODULE_1__/* .oneLine */ .TN)((0,_secrets_js__WEBPACK_IMPORTED_MODULE_0__/* .scrub */ ._I)(JSON.stringify(err)), 1000);
        }
        catch {
            return 'unexpected error';
        }
    }
    return (0,_text_js__WEBPACK_IMPORTED_MODULE_1__/* .oneLine */ .TN)((0,_secrets_js__WEBPACK_IMPORTED_MODULE_0__/* .scrub */ ._I)(String(err)), 1000);
}


/***/ }),

/***/ 9273:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {


// EXPORTS
__nccwpck_require__.d(__webpack_exports__, {
  D: () => (/* binding */ keepYoungGenerationSmall)
});

;// CONCATENATED MODULE: external "node:v8"
const external_node_v8_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:v8");
;// CONCATENATED MODULE: ./src/lib/heap.ts

/**
 * Keeps V8's young generation at its starting size. A build log streams
 * through the action as many short-lived strings; by default V8 doubles
 * the young generation after scavenges with survivors, up to 16 MB
 * semi-spaces on Node 24, and never gives it back while the log flows:
 * ~15 MB more peak RSS for no measurable speed (`npm run bench`, scaling
 * table: Node 24, 50 MB log, 100 MB → 84 MB peak). The growth factor is read
 * each time V8 considers growing, so setting it once at start-up holds; the
 * maximum size can only be set on the command line, which an action's
 * `runs.main` does not have.
 */
function keepYoungGenerationSmall() {
    try {
        (0,external_node_v8_namespaceObject.setFlagsFromString)('--semi-space-growth-factor=1');
    }
    catch {
        // an engine without the flag: its own defaults
    }
}


/***/ }),

/***/ 1931:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   PS: () => (/* binding */ isRetryableStatus),
/* harmony export */   Z: () => (/* binding */ headerValue),
/* harmony export */   lw: () => (/* binding */ Http),
/* harmony export */   mu: () => (/* binding */ parseRetryAfter),
/* harmony export */   p2: () => (/* binding */ httpError),
/* harmony export */   qF: () => (/* binding */ parseJson)
/* harmony export */ });
/* unused harmony exports defaultRetry, backoffDelay */
/* harmony import */ var _log_js__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(1025);
/* harmony import */ var _actions_http_client__WEBPACK_IMPORTED_MODULE_1__ = __nccwpck_require__(4942);
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_2__ = __nccwpck_require__(3024);
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_2___default = /*#__PURE__*/__nccwpck_require__.n(node_fs__WEBPACK_IMPORTED_MODULE_2__);
/* harmony import */ var _clock_js__WEBPACK_IMPORTED_MODULE_3__ = __nccwpck_require__(4517);
/* harmony import */ var _errors_js__WEBPACK_IMPORTED_MODULE_4__ = __nccwpck_require__(7268);
/* harmony import */ var _secrets_js__WEBPACK_IMPORTED_MODULE_5__ = __nccwpck_require__(5714);
/* harmony import */ var _urls_js__WEBPACK_IMPORTED_MODULE_6__ = __nccwpck_require__(1281);







const defaultRetry = {
    attempts: 5,
    baseDelayMs: 500,
    maxDelayMs: 8000,
    maxRetryAfterMs: 60_000,
    rateLimitAttempts: 10,
    rateLimitBaseDelayMs: 2000,
    rateLimitMaxDelayMs: 30_000
};
/** `Retry-After` as seconds or an HTTP date, in ms from now; undefined when absent or unreadable. */
function parseRetryAfter(value, now) {
    const v = headerValue(value);
    if (!v)
        return undefined;
    const trimmed = v.trim();
    if (/^\d+(\.\d+)?$/.test(trimmed))
        return Math.round(parseFloat(trimmed) * 1000);
    const date = Date.parse(trimmed);
    if (Number.isNaN(date))
        return undefined;
    return Math.max(0, date - now);
}
/** Exponential backoff with full jitter, bounded; Retry-After wins when present. */
function backoffDelay(attempt, settings, random, retryAfterMs) {
    if (retryAfterMs !== undefined)
        return Math.min(retryAfterMs, settings.maxRetryAfterMs);
    const ceiling = Math.min(settings.maxDelayMs, settings.baseDelayMs * 2 ** (attempt - 1));
    // Half fixed, half random: never zero, never in lock-step with other runs.
    return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}
function isRetryableStatus(status) {
    return status === 429 || status === 408 || (status >= 500 && status <= 599);
}
/** The first value of a header Node may give as a list. */
function headerValue(h) {
    return Array.isArray(h) ? h[0] : h;
}
async function readBody(msg, maxBytes) {
    const chunks = [];
    let size = 0;
    for await (const chunk of msg) {
        const buf = chunk;
        if (size < maxBytes)
            chunks.push(size + buf.length > maxBytes ? buf.subarray(0, maxBytes - size) : buf);
        size += buf.length;
    }
    return Buffer.concat(chunks).toString('utf8');
}
class Http {
    client;
    settings;
    clock;
    random;
    onRetry;
    /** Every request attempted, for the summary and the benchmarks. */
    requestCount = 0;
    /** 429 answers met, for the log. */
    rateLimited = 0;
    /** No request outlives this instant (ms since epoch): the action's timeout. */
    deadline;
    constructor(opts) {
        this.client = new _actions_http_client__WEBPACK_IMPORTED_MODULE_1__/* .HttpClient */ .Qq(opts.userAgent, [], {
            allowRedirects: false,
            allowRetries: false,
            keepAlive: true,
            socketTimeout: opts.timeoutMs ?? 30_000
        });
        this.settings = { ...defaultRetry, ...opts.retry };
        this.clock = opts.clock ?? _clock_js__WEBPACK_IMPORTED_MODULE_3__/* .systemClock */ .ml;
        this.random = opts.random ?? Math.random;
        this.onRetry = opts.onRetry;
    }
    dispose() {
        this.client.dispose();
    }
    /** One attempt, the raw answer: its body is the caller's to read (build output, archives). */
    async raw(opts) {
        const headers = { Accept: 'application/json', ...opts.headers };
        let data = null;
        if (opts.json !== undefined) {
            data = JSON.stringify(opts.json);
            headers['Content-Type'] = 'application/json';
        }
        this.requestCount++;
        try {
            const res = await this.client.request(opts.method, opts.url, data, headers);
            return res.message;
        }
        catch (err) {
            throw (0,_errors_js__WEBPACK_IMPORTED_MODULE_4__/* .networkError */ .x6)(err, opts.method, opts.url);
        }
    }
    async request(opts) {
        const max = opts.retry === 'none' ? 1 : this.settings.attempts;
        const deadline = Math.min(opts.deadline ?? Infinity, this.deadline ?? Infinity) + (opts.graceMs ?? 0);
        for (let attempt = 1;; attempt++) {
            const outcome = await this.attempt(opts, deadline);
            if ('response' in outcome)
                return outcome.response;
            const { failure, retry } = outcome;
            const limit = retry?.rateLimitedWithoutHint ? Math.max(max, this.settings.rateLimitAttempts) : max;
            if (!retry || attempt >= limit)
                throw failure;
            const delayMs = retry.rateLimitedWithoutHint
                ? backoffDelay(attempt, this.rateLimitSettings(), this.random)
                : backoffDelay(attempt, this.settings, this.random, retry.afterMs);
            if (this.clock.now() + delayMs > deadline)
                throw failure;
            this.onRetry?.({ attempt, delayMs, reason: retry.reason });
            _log_js__WEBPACK_IMPORTED_MODULE_0__/* .debug */ .Yz(`retrying ${opts.method} ${(0,_urls_js__WEBPACK_IMPORTED_MODULE_6__/* .safeUrl */ .Pl)(opts.url)} in ${delayMs} ms after ${retry.reason}`);
            await this.clock.sleep(delayMs);
        }
    }
    rateLimitSettings() {
        return {
            ...this.settings,
            baseDelayMs: this.settings.rateLimitBaseDelayMs,
            maxDelayMs: this.settings.rateLimitMaxDelayMs
        };
    }
    /** One attempt: the answer, or the failure and whether (and why) it may be retried. */
    async attempt(opts, deadline) {
        const sentAt = Date.now();
        if (this.clock.now() >= deadline) {
            // Nothing is sent once the timeout has passed: a request started now could outlive the run.
            const cause = 'not sent: the timeout has passed';
            return { failure: new _errors_js__WEBPACK_IMPORTED_MODULE_4__/* .NetworkError */ .Dr({ method: opts.method, url: (0,_urls_js__WEBPACK_IMPORTED_MODULE_6__/* .safeUrl */ .Pl)(opts.url), cause, unsent: true }) };
        }
        try {
            const msg = await this.beforeDeadline(this.raw(opts), deadline, opts);
            const body = await this.beforeDeadline(this.readBody(msg, opts), deadline, opts);
            const status = msg.statusCode ?? 0;
            const requestId = headerValue(msg.headers['x-request-id']);
            _log_js__WEBPACK_IMPORTED_MODULE_0__/* .debug */ .Yz(`${opts.method} ${(0,_urls_js__WEBPACK_IMPORTED_MODULE_6__/* .safeUrl */ .Pl)(opts.url)} → ${status} in ${Date.now() - sentAt} ms${requestId ? ` (request id ${requestId})` : ''}`);
            if ((status >= 200 && status < 300) || opts.accept?.includes(status)) {
                return { response: { status, headers: msg.headers, body, requestId } };
            }
            const failure = httpError(status, opts.method, opts.url, body, msg.headers);
            if (status === 429)
                this.rateLimited++;
            const retryable = opts.retry === 'idempotent' ? isRetryableStatus(status) : opts.retry === 'unsent-only' && status === 429;
            if (!retryable)
                return { failure };
            const afterMs = parseRetryAfter(msg.headers['retry-after'], this.clock.now());
            return {
                failure,
                retry: { reason: `${status}`, afterMs, rateLimitedWithoutHint: status === 429 && afterMs === undefined }
            };
        }
        catch (err) {
            if (!(err instanceof _errors_js__WEBPACK_IMPORTED_MODULE_4__/* .NetworkError */ .Dr))
                throw err;
            _log_js__WEBPACK_IMPORTED_MODULE_0__/* .debug */ .Yz(`${opts.method} ${(0,_urls_js__WEBPACK_IMPORTED_MODULE_6__/* .safeUrl */ .Pl)(opts.url)} → ${err.code ?? 'network error'} after ${Date.now() - sentAt} ms`);
            const retryable = opts.retry === 'idempotent' || (opts.retry === 'unsent-only' && err.unsent);
            return { failure: err, retry: retryable ? { reason: err.code ?? 'network error' } : undefined };
        }
    }
    /** The whole body; a connection dropped while it is read is a network error like any other. */
    async readBody(msg, opts) {
        try {
            return await readBody(msg, opts.maxBodyBytes ?? 10 * 1024 * 1024);
        }
        catch (err) {
            throw (0,_errors_js__WEBPACK_IMPORTED_MODULE_4__/* .networkError */ .x6)(err, opts.method, opts.url, 'the answer was cut short');
        }
    }
    /** A request that hangs past the deadline fails as a network error instead of holding the run. */
    beforeDeadline(p, deadline, opts) {
        return (0,_clock_js__WEBPACK_IMPORTED_MODULE_3__/* .beforeDeadline */ .OJ)(p, deadline, this.clock, () => {
            throw new _errors_js__WEBPACK_IMPORTED_MODULE_4__/* .NetworkError */ .Dr({
                code: 'ETIMEDOUT',
                method: opts.method,
                url: (0,_urls_js__WEBPACK_IMPORTED_MODULE_6__/* .safeUrl */ .Pl)(opts.url),
                cause: 'no answer before the timeout',
                unsent: false
            });
        });
    }
    /**
     * Streams a file as the body of a PUT (an upload URL carries its own
     * signature: no Authorization header). One attempt: the caller decides.
     */
    async putFile(url, path, size, contentType) {
        this.requestCount++;
        const started = Date.now();
        try {
            const res = await this.client.sendStream('PUT', url, (0,node_fs__WEBPACK_IMPORTED_MODULE_2__.createReadStream)(path), {
                'Content-Type': contentType,
                'Content-Length': String(size)
            });
            const body = await res.readBody();
            const status = res.message.statusCode ?? 0;
            _log_js__WEBPACK_IMPORTED_MODULE_0__/* .debug */ .Yz(`PUT ${(0,_urls_js__WEBPACK_IMPORTED_MODULE_6__/* .safeUrl */ .Pl)(url)} → ${status} in ${Date.now() - started} ms (${size} bytes)`);
            if (status < 200 || status >= 300) {
                throw httpError(status, 'PUT', url, body, res.message.headers);
            }
            return status;
        }
        catch (err) {
            if (err instanceof _errors_js__WEBPACK_IMPORTED_MODULE_4__/* .HttpError */ .j$)
                throw err;
            throw (0,_errors_js__WEBPACK_IMPORTED_MODULE_4__/* .networkError */ .x6)(err, 'PUT', url, 'upload failed');
        }
    }
    /** A JSON body, parsed; a clear error when it is not JSON. */
    async json(opts) {
        const response = await this.request(opts);
        return { data: parseJson(response, opts), response };
    }
}
/** An HttpError for a non-2xx answer: the URL without query, the server's message scrubbed. */
function httpError(status, method, url, body, headers) {
    return new _errors_js__WEBPACK_IMPORTED_MODULE_4__/* .HttpError */ .j$({
        status,
        method,
        url: (0,_urls_js__WEBPACK_IMPORTED_MODULE_6__/* .safeUrl */ .Pl)(url),
        // Scrubbed before it is flattened to one line: a multi-line secret is then still whole.
        serverMessage: (0,_errors_js__WEBPACK_IMPORTED_MODULE_4__/* .extractServerMessage */ .mo)((0,_secrets_js__WEBPACK_IMPORTED_MODULE_5__/* .scrub */ ._I)(body), headerValue(headers['content-type'])),
        requestId: headerValue(headers['x-request-id']),
        headers
    });
}
/**
 * A 2xx body as JSON (a leading BOM tolerated). When it is not clean JSON,
 * the error says its status, content type and length, never its text: a
 * 2xx body may be a bearer, signed URLs or the app's variables.
 */
function parseJson(response, opts) {
    try {
        return JSON.parse(response.body.replace(/^\uFEFF/, ''));
    }
    catch {
        const type = headerValue(response.headers['content-type']) ?? 'no content type';
        const length = Buffer.byteLength(response.body);
        const what = length === 0 ? 'an empty body' : `a body that is not JSON (${type.split(';')[0]}, ${length} bytes)`;
        throw new _errors_js__WEBPACK_IMPORTED_MODULE_4__/* .HttpError */ .j$({
            status: response.status,
            method: opts.method,
            url: (0,_urls_js__WEBPACK_IMPORTED_MODULE_6__/* .safeUrl */ .Pl)(opts.url),
            serverMessage: `expected JSON, got ${what}`,
            requestId: response.requestId,
            headers: response.headers
        });
    }
}


/***/ }),

/***/ 1025:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   $e: () => (/* binding */ warning),
/* harmony export */   Yz: () => (/* binding */ debug),
/* harmony export */   lm: () => (/* binding */ notice),
/* harmony export */   pq: () => (/* binding */ info)
/* harmony export */ });
/* harmony import */ var _actions_core__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(2313);
/* harmony import */ var _secrets_js__WEBPACK_IMPORTED_MODULE_1__ = __nccwpck_require__(5714);
/* harmony import */ var _text_js__WEBPACK_IMPORTED_MODULE_2__ = __nccwpck_require__(9112);



/**
 * Every line the action prints, but the build output itself (printed as
 * data, inside `::stop-commands::` fences): one inert line each, whatever
 * outside text it carries, and scrubbed of every known secret (the runner
 * masks them too, but a URL whose path is a secret, a webhook's, is printed
 * by the HTTP layer's debug lines, and a local run has no runner).
 */
function info(text) {
    _actions_core__WEBPACK_IMPORTED_MODULE_0__/* .info */ .pq((0,_text_js__WEBPACK_IMPORTED_MODULE_2__/* .inert */ .tJ)((0,_secrets_js__WEBPACK_IMPORTED_MODULE_1__/* .scrub */ ._I)(text)));
}
function warning(text, props) {
    _actions_core__WEBPACK_IMPORTED_MODULE_0__/* .warning */ .$e((0,_text_js__WEBPACK_IMPORTED_MODULE_2__/* .inert */ .tJ)((0,_secrets_js__WEBPACK_IMPORTED_MODULE_1__/* .scrub */ ._I)(text)), props);
}
function debug(text) {
    _actions_core__WEBPACK_IMPORTED_MODULE_0__/* .debug */ .Yz((0,_text_js__WEBPACK_IMPORTED_MODULE_2__/* .inert */ .tJ)((0,_secrets_js__WEBPACK_IMPORTED_MODULE_1__/* .scrub */ ._I)(text)));
}
function notice(text, props) {
    _actions_core__WEBPACK_IMPORTED_MODULE_0__/* .notice */ .lm((0,_text_js__WEBPACK_IMPORTED_MODULE_2__/* .inert */ .tJ)((0,_secrets_js__WEBPACK_IMPORTED_MODULE_1__/* .scrub */ ._I)(text)), props);
}


/***/ }),

/***/ 3862:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   DV: () => (/* binding */ codeBlock),
/* harmony export */   GA: () => (/* binding */ cellCode),
/* harmony export */   Hn: () => (/* binding */ cell),
/* harmony export */   aY: () => (/* binding */ code),
/* harmony export */   nf: () => (/* binding */ link)
/* harmony export */ });
/* harmony import */ var _text_js__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(9112);

/**
 * Outside text in the job summary, as inert Markdown: a build log, an API
 * message or a file name cannot render a heading, an image, a link or HTML.
 * Everything from outside goes in a code span or a fenced block, whose
 * fence is longer than any run of backticks inside.
 */
function longestRun(text, char) {
    let longest = 0;
    let run = 0;
    for (const c of text) {
        run = c === char ? run + 1 : 0;
        longest = Math.max(longest, run);
    }
    return longest;
}
/** Inline code: one line, nothing rendered inside. */
function code(text, max = 1000) {
    const flat = (0,_text_js__WEBPACK_IMPORTED_MODULE_0__/* .cut */ .Jj)((0,_text_js__WEBPACK_IMPORTED_MODULE_0__/* .spaceControlChars */ .Nl)(text), max);
    if (flat === '')
        return '';
    const fence = '`'.repeat(longestRun(flat, '`') + 1);
    const pad = flat.startsWith('`') || flat.endsWith('`') || flat.trim() === '' ? ' ' : '';
    return `${fence}${pad}${flat}${pad}${fence}`;
}
/**
 * Characters that mean something to GFM inside inline HTML: escapes,
 * emphasis, code, links and images, autolinks (`https:`, `www.`, `a@b`),
 * tags and entities, cell separators, math (`$`).
 */
const MARKDOWN_PUNCTUATION = /[\\`*_[\]()!<>&|~#{}:.@$^]/g;
/**
 * Inline code for a table cell: HTML `<code>` with every character that
 * means something to GFM as an entity. GFM splits a row at `|` before it
 * reads code spans, and cannot show `\|` inside one; an entity is never a
 * cell separator, an escape, a tag or Markdown, so the value renders whole,
 * in its cell, as text. Scrubbed and cut before it is encoded (an encoded
 * secret would escape the summary's last scrub).
 */
function cellCode(text, max = 1000) {
    const flat = (0,_text_js__WEBPACK_IMPORTED_MODULE_0__/* .cut */ .Jj)((0,_text_js__WEBPACK_IMPORTED_MODULE_0__/* .spaceControlChars */ .Nl)(text), max);
    if (flat === '')
        return '';
    return `<code>${flat.replace(MARKDOWN_PUNCTUATION, c => `&#${c.charCodeAt(0)};`)}</code>`;
}
/** A fenced block of lines shown verbatim. */
function codeBlock(lines, info = 'text') {
    const body = lines.join('\n');
    const fence = '`'.repeat(Math.max(3, longestRun(body, '`') + 1));
    return `${fence}${info}\n${body}\n${fence}`;
}
/** A table cell of our own Markdown (values in it through `cellCode`): pipes escaped, one line. */
function cell(markdown) {
    return markdown.replace(/\|/g, '\\|').replace(/[\r\n]+/g, ' ');
}
/** A link only to a plain https URL (loopback http for tests); anything else is shown as code. */
function link(text, url) {
    const plain = /^(https:\/\/[A-Za-z0-9.-]+(:\d+)?|http:\/\/(127\.\d+\.\d+\.\d+|localhost)(:\d+)?)(\/[A-Za-z0-9._~%/-]*)?$/;
    return plain.test(url) ? `[${text}](${url})` : `${text} (${cellCode(url, 200)})`;
}


/***/ }),

/***/ 9265:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   Q5: () => (/* binding */ refFormatProblem),
/* harmony export */   SV: () => (/* binding */ canonicalRef),
/* harmony export */   Wf: () => (/* binding */ isFullSha),
/* harmony export */   dc: () => (/* binding */ namesTag),
/* harmony export */   vJ: () => (/* binding */ dockerSafeRef)
/* harmony export */ });
/** Git commit names, as the action reasons about them. */
const FULL_SHA = /^[0-9a-f]{40}$/i;
function isFullSha(value) {
    return FULL_SHA.test(value);
}
/**
 * A `git_ref` Scalingo can use: it becomes a Docker tag, so only
 * `[A-Za-z0-9_.-]`, starting with a letter, digit or underscore, at most 128
 * characters (`release/1.2+build.7` → `release-1.2-build.7`). Undefined when
 * nothing usable is left.
 */
function dockerSafeRef(ref) {
    const tag = ref
        .replace(/[^A-Za-z0-9_.-]/g, '-')
        .replace(/^[.-]+/, '')
        .slice(0, 128);
    return tag === '' ? undefined : tag;
}
/**
 * Why git would refuse `ref` as a ref name (`git check-ref-format
 * --allow-onelevel`), or undefined when it is fine: an empty name or
 * component, a component starting with `.` or ending with `.lock`, `..`,
 * `//`, a leading or trailing `/`, a trailing `.`, `@{`, `@` alone, control
 * characters, space, `~^:?*[\`. Checked before any guard reads the ref:
 * `refs/./pull/42/head` is `refs/pull/42/head` once a URL is normalised.
 */
function refFormatProblem(ref) {
    if (ref === '')
        return 'it is empty';
    if (ref.length > 255)
        return 'it is longer than 255 characters';
    // eslint-disable-next-line no-control-regex
    if (/[\u0000-\u0020\u007f~^:?*[\\]/.test(ref))
        return 'it holds a space, a control character or one of ~^:?*[\\';
    if (ref === '@')
        return 'it is "@"';
    if (ref.includes('@{'))
        return 'it holds "@{"';
    if (ref.includes('..'))
        return 'it holds ".."';
    if (ref.startsWith('/') || ref.endsWith('/') || ref.includes('//'))
        return 'it has an empty path component';
    if (ref.endsWith('.'))
        return 'it ends with "."';
    for (const part of ref.split('/')) {
        if (part.startsWith('.'))
            return 'a path component starts with "."';
        if (part.endsWith('.lock'))
            return 'a path component ends with ".lock"';
    }
    if (ref.startsWith('-'))
        return 'it starts with "-"';
    return undefined;
}
/** The canonical form of a ref that passed `refFormatProblem` (prefixes matched without regard to case). */
function canonicalRef(ref) {
    const m = /^(?:refs\/)?(heads|tags|pull)\/(.+)$/i.exec(ref);
    if (!m)
        return { kind: 'bare', name: ref };
    const prefix = m[1].toLowerCase();
    if (prefix === 'pull')
        return { kind: 'pull', name: m[2] };
    return { kind: prefix === 'heads' ? 'branch' : 'tag', name: m[2] };
}
/** Whether `ref` names the tag `tag`: `tag`, `tags/<tag>` or `refs/tags/<tag>`. */
function namesTag(ref, tag) {
    const c = canonicalRef(ref);
    return (c.kind === 'tag' || c.kind === 'bare') && c.name === tag;
}


/***/ }),

/***/ 5714:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   ET: () => (/* binding */ trimSecretEdge),
/* harmony export */   _I: () => (/* binding */ scrub),
/* harmony export */   aO: () => (/* binding */ scrubCut),
/* harmony export */   cl: () => (/* binding */ registerSecret),
/* harmony export */   dg: () => (/* binding */ registerSecrets),
/* harmony export */   l2: () => (/* binding */ registerSecretUrl),
/* harmony export */   nr: () => (/* binding */ longestSecret)
/* harmony export */ });
/* unused harmony exports MIN_SECRET, secretForms */
/* harmony import */ var _actions_core__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(2313);

// Every secret known to this run, longest first so a token inside a URL is
// replaced as part of the whole URL; the set answers "known already?" in
// constant time (a review app masks thousands of values).
const known = [];
const seen = new Set();
/** Shorter values are not masked: `***` everywhere a 3-letter word appears would say more than it hides. */
const MIN_SECRET = 4;
/**
 * The forms a secret can be printed in: as is, URL-encoded, JSON-escaped,
 * and for a multi-line value (a PEM key) each of its lines, since the
 * runner masks a multi-line secret only as a whole.
 */
function secretForms(value) {
    const forms = new Set([value, encodeURIComponent(value), JSON.stringify(value).slice(1, -1)]);
    if (/[\r\n]/.test(value)) {
        for (const line of value.split(/\r?\n|\r/))
            if (line.trim().length >= MIN_SECRET)
                forms.add(line);
    }
    return [...forms].filter(f => f.length >= MIN_SECRET);
}
/**
 * Masks a value for the runner (`::add-mask::`) and remembers it so our own
 * messages can be scrubbed too: the runner only masks what it prints, and a
 * local run (the demo, tests) has no runner at all.
 */
function registerSecret(value) {
    registerSecrets([value]);
}
/** Many at once (the variables of an app): sorted once, not once per value. */
function registerSecrets(values) {
    let added = false;
    for (const value of values) {
        if (!value || value.length < MIN_SECRET)
            continue;
        for (const form of secretForms(value)) {
            if (seen.has(form))
                continue;
            _actions_core__WEBPACK_IMPORTED_MODULE_0__/* .setSecret */ .Pq(form);
            seen.add(form);
            known.push(form);
            added = true;
        }
    }
    if (!added)
        return;
    known.sort((a, b) => b.length - a.length);
    byPrefix = undefined;
}
/**
 * Registers a URL that carries a credential, and the credential parts in it:
 * its query values, its password, and with `path` (a webhook, whose path is
 * the credential) its path and each long segment of it.
 */
function registerSecretUrl(url, opts = {}) {
    registerSecret(url);
    try {
        const u = new URL(url);
        for (const [, v] of u.searchParams)
            registerSecret(v);
        if (u.password)
            registerSecret(decodeURIComponent(u.password));
        if (u.search.length > 1)
            registerSecret(u.search.slice(1));
        if (opts.path)
            registerSecrets([u.pathname, ...u.pathname.split('/').filter(part => part.length >= 8)]);
    }
    catch {
        // not a URL: the whole string is already registered
    }
}
/** Past this many known forms, `scrub` looks secrets up by their first characters instead of trying each. */
const INDEXED_FROM = 64;
/** Forms by their first MIN_SECRET characters, longest first; rebuilt when a form is added. */
let byPrefix;
function scrub(text) {
    if (known.length > INDEXED_FROM)
        return scrubIndexed(text);
    let out = text;
    for (const s of known) {
        if (out.includes(s))
            out = out.split(s).join('***');
    }
    return out;
}
/**
 * The same, in time linear in the text whatever the number of secrets (a
 * review app masks every variable of its parent, and each build-log line is
 * scrubbed): every occurrence of every form is found by its prefix, and
 * each stretch they cover, overlapping or adjacent, becomes one `***`.
 */
function scrubIndexed(text) {
    if (!byPrefix) {
        byPrefix = new Map();
        for (const form of known) {
            const key = form.slice(0, MIN_SECRET);
            const list = byPrefix.get(key);
            if (list)
                list.push(form);
            else
                byPrefix.set(key, [form]);
        }
    }
    let out = '';
    let copied = 0;
    let coveredTo = -1;
    let start = -1;
    for (let i = 0; i + MIN_SECRET <= text.length; i++) {
        const candidates = byPrefix.get(text.slice(i, i + MIN_SECRET));
        const hit = candidates?.find(form => text.startsWith(form, i));
        if (!hit)
            continue;
        if (i > coveredTo) {
            // A new stretch: the previous one (if any) is written out.
            if (start >= 0) {
                out += `${text.slice(copied, start)}***`;
                copied = coveredTo;
            }
            start = i;
        }
        coveredTo = Math.max(coveredTo, i + hit.length);
    }
    if (start < 0)
        return text;
    return `${out}${text.slice(copied, start)}***${text.slice(coveredTo)}`;
}
/** The longest form of a secret known: how far past a cut a text must be kept for a secret across it to be scrubbed whole. */
function longestSecret() {
    return known[0]?.length ?? 0;
}
/** What is left of a secret at a cut's edge is dropped from this length on (shorter tails say nothing). */
const EDGE_CHARS = 3;
/**
 * A text cut short may end with the first characters of a secret whose
 * rest was cut off: neither `scrub` nor the runner's exact-value mask sees
 * it. Drops the longest such tail.
 */
function trimSecretEdge(text) {
    let end = text.length;
    for (const s of known) {
        for (let i = Math.max(0, text.length - s.length + 1); i <= end - EDGE_CHARS; i++) {
            if (text.charCodeAt(i) === s.charCodeAt(0) && s.startsWith(text.slice(i))) {
                end = i;
                break;
            }
        }
    }
    return text.slice(0, end);
}
/**
 * Scrub first, then cut, then print: the whole text is scrubbed of every
 * known secret before it is cut to `max` characters (`marker` included),
 * and what remains of a secret at the cut's edge is dropped too.
 */
function scrubCut(text, max, marker = '…') {
    const clean = scrub(text);
    if (clean.length <= max)
        return clean;
    return `${trimSecretEdge(clean.slice(0, Math.max(0, max - marker.length)))}${marker}`;
}


/***/ }),

/***/ 8730:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {


// EXPORTS
__nccwpck_require__.d(__webpack_exports__, {
  N9: () => (/* binding */ inspectArchive),
  fn: () => (/* binding */ saveTo)
});

// UNUSED EXPORTS: MAX_META_BYTES, TarWalker

// EXTERNAL MODULE: external "node:fs"
var external_node_fs_ = __nccwpck_require__(3024);
// EXTERNAL MODULE: external "node:fs/promises"
var promises_ = __nccwpck_require__(1455);
;// CONCATENATED MODULE: external "node:stream/promises"
const external_node_stream_promises_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:stream/promises");
;// CONCATENATED MODULE: external "node:stream"
const external_node_stream_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:stream");
;// CONCATENATED MODULE: external "node:zlib"
const external_node_zlib_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:zlib");
// EXTERNAL MODULE: ./src/lib/errors.ts
var errors = __nccwpck_require__(7268);
// EXTERNAL MODULE: ./src/lib/text.ts
var lib_text = __nccwpck_require__(9112);
;// CONCATENATED MODULE: ./src/lib/tar.ts







/** The first path component of a tar entry name, or undefined for the root itself. */
function topComponent(name) {
    const clean = name.replace(/^\.\//, '');
    const first = clean.split('/')[0];
    return first === '' || first === '.' ? undefined : first;
}
/** A long name or pax header is a path or so: what is read of one beyond this is skipped, not held. */
const MAX_META_BYTES = 64 * 1024;
/** Enough names to say what is wrong; the archive is read to its end without keeping more. */
const MAX_NAMES = 4;
/** Walks tar headers (ustar, pax and GNU long names) in a stream of blocks. */
class TarWalker extends external_node_stream_namespaceObject.Writable {
    buf = Buffer.alloc(0);
    skip = 0;
    longName;
    paxPath;
    pendingMeta;
    ended = false;
    tops = new Map(); // top component → seen as a directory (or with children)
    filesAtRoot = [];
    bad;
    /** The most bytes of headers ever held at once (a test's measure of the bound). */
    peakMetaBytes = 0;
    /** Bytes of tar read so far (unpacked). */
    unpacked = 0;
    _write(chunk, _enc, done) {
        this.unpacked += chunk.length;
        this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
        try {
            this.drain();
            done();
        }
        catch (err) {
            done(err);
        }
    }
    drain() {
        while (!this.ended && !this.bad) {
            if (this.skip > 0) {
                const n = Math.min(this.skip, this.buf.length);
                this.holdMeta(this.buf.subarray(0, n));
                this.buf = this.buf.subarray(n);
                this.skip -= n;
                if (this.skip > 0)
                    return;
                if (this.pendingMeta)
                    this.finishMeta();
                continue;
            }
            if (this.buf.length < 512)
                return;
            const header = this.buf.subarray(0, 512);
            this.buf = this.buf.subarray(512);
            if (header.every(b => b === 0)) {
                this.ended = true;
                return;
            }
            const magic = header.subarray(257, 262).toString('latin1');
            const sizeField = header.subarray(124, 136).toString('latin1').replace(/\0.*$/, '').trim();
            if (magic !== 'ustar' && !/^[0-7]*$/.test(sizeField)) {
                this.bad = 'is not a tar archive inside the gzip';
                return;
            }
            const size = parseInt(sizeField || '0', 8);
            const type = String.fromCharCode(header[156] || 48);
            const padded = Math.ceil(size / 512) * 512;
            if (type === 'L' || type === 'x') {
                this.pendingMeta = { kind: type, size: Math.min(size, MAX_META_BYTES), data: [], held: 0 };
                this.skip = padded;
                if (padded === 0)
                    this.finishMeta();
                continue;
            }
            if (type === 'g') {
                this.skip = padded;
                continue;
            }
            const prefix = header.subarray(345, 500).toString('utf8').replace(/\0.*$/s, '');
            const base = header.subarray(0, 100).toString('utf8').replace(/\0.*$/s, '');
            const name = this.paxPath ?? this.longName ?? (prefix ? `${prefix}/${base}` : base);
            this.paxPath = undefined;
            this.longName = undefined;
            const top = topComponent(name);
            if (top !== undefined) {
                const rest = name.replace(/^\.\//, '').slice(top.length).replace(/^\/+/, '');
                const isDir = type === '5' || rest !== '';
                if (!isDir && this.filesAtRoot.length < MAX_NAMES)
                    this.filesAtRoot.push(top);
                if (this.tops.has(top) || this.tops.size < MAX_NAMES)
                    this.tops.set(top, (this.tops.get(top) ?? false) || isDir);
            }
            this.skip = padded;
        }
    }
    /** Keeps the start of a long name or pax header, never more than MAX_META_BYTES of it. */
    holdMeta(bytes) {
        const meta = this.pendingMeta;
        if (!meta || meta.held >= MAX_META_BYTES)
            return;
        const kept = bytes.subarray(0, MAX_META_BYTES - meta.held);
        meta.data.push(Buffer.from(kept));
        meta.held += kept.length;
        this.peakMetaBytes = Math.max(this.peakMetaBytes, meta.held);
    }
    finishMeta() {
        const meta = this.pendingMeta;
        this.pendingMeta = undefined;
        const text = Buffer.concat(meta.data).subarray(0, meta.size).toString('utf8');
        if (meta.kind === 'L')
            this.longName = text.replace(/\0.*$/s, '');
        else {
            const m = /(?:^|\n)\d+ path=([^\n]*)\n/.exec(text);
            if (m)
                this.paxPath = m[1];
        }
    }
}
/**
 * Streams the archive once: gzip, tar, and a single folder at the root.
 * Ends by `deadline` (ms since epoch) whatever the archive: a gzip bomb
 * unpacks for as long as it is let, never past the run's timeout.
 */
async function inspectArchive(path, input = 'archive-path', deadline) {
    let bytes;
    try {
        const st = (0,external_node_fs_.statSync)(path);
        if (!st.isFile())
            throw new errors/* InputError */.dz(input, `${JSON.stringify(path)} is not a file`);
        bytes = st.size;
    }
    catch (err) {
        if (err instanceof errors/* InputError */.dz)
            throw err;
        throw new errors/* InputError */.dz(input, `${JSON.stringify(path)} was not found`);
    }
    const head = Buffer.alloc(2);
    const fd = await (0,promises_.open)(path, 'r');
    await fd.read(head, 0, 2, 0);
    await fd.close();
    if (head[0] !== 0x1f || head[1] !== 0x8b)
        throw new errors/* InputError */.dz(input, 'is not a gzip file; Scalingo needs a .tar.gz with one folder at its root');
    const walker = new TarWalker();
    const signal = deadline === undefined ? undefined : AbortSignal.timeout(Math.max(1, deadline - Date.now()));
    try {
        await (0,external_node_stream_promises_namespaceObject.pipeline)((0,external_node_fs_.createReadStream)(path), (0,external_node_zlib_namespaceObject.createGunzip)(), walker, signal ? { signal } : {});
    }
    catch (err) {
        if (signal?.aborted)
            throw new errors/* ActionError */.lZ(`${input} could not be checked before the timeout: ${walker.unpacked} bytes unpacked from its ${bytes} (a gzip bomb, or a timeout too short for it); nothing was created`);
        throw new errors/* InputError */.dz(input, `could not be read as a .tar.gz (${(0,lib_text/* cut */.Jj)(err.message, 80)})`);
    }
    if (walker.bad)
        throw new errors/* InputError */.dz(input, walker.bad);
    if (walker.filesAtRoot.length > 0) {
        throw new errors/* InputError */.dz(input, `has files at its root (${walker.filesAtRoot.slice(0, 3).join(', ')}); Scalingo needs one folder at the root holding the sources`);
    }
    const tops = [...walker.tops.keys()];
    if (tops.length !== 1) {
        throw new errors/* InputError */.dz(input, tops.length === 0
            ? 'is an empty archive'
            : `has ${tops.length >= MAX_NAMES ? `${MAX_NAMES} or more` : tops.length} folders at its root (${tops.slice(0, 3).join(', ')}…); Scalingo needs exactly one`);
    }
    return { root: tops[0], bytes };
}
/** Writes a response body to a file, streaming; returns its size. */
async function saveTo(body, path) {
    await (0,external_node_stream_promises_namespaceObject.pipeline)(body, (0,external_node_fs_.createWriteStream)(path));
    const bytes = (0,external_node_fs_.statSync)(path).size;
    if (bytes === 0)
        throw new errors/* ActionError */.lZ('the downloaded archive is empty');
    return bytes;
}


/***/ }),

/***/ 9112:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   Jj: () => (/* binding */ cut),
/* harmony export */   Nl: () => (/* binding */ spaceControlChars),
/* harmony export */   Rh: () => (/* binding */ statusLabel),
/* harmony export */   TN: () => (/* binding */ oneLine),
/* harmony export */   XT: () => (/* binding */ listSome),
/* harmony export */   aJ: () => (/* binding */ stripAnsi),
/* harmony export */   hD: () => (/* binding */ quote),
/* harmony export */   jt: () => (/* binding */ hasControlChars),
/* harmony export */   tJ: () => (/* binding */ inert),
/* harmony export */   uL: () => (/* binding */ looksLikeStatus)
/* harmony export */ });
/* harmony import */ var _secrets_js__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(5714);

/**
 * Text that came from outside (API answers, statuses, file names, build
 * logs) on its way to the log or the job summary: one regex for control
 * characters, one function per destination.
 */
// eslint-disable-next-line no-control-regex
const CONTROL_CHARS = /[\u0000-\u001f\u007f]/;
const CONTROL_RUNS = new RegExp(`${CONTROL_CHARS.source}+`, 'g');
/** True when the value holds a line break or another control character. */
function hasControlChars(value) {
    return CONTROL_CHARS.test(value);
}
/** Each run of line breaks and other control characters as one space. */
function spaceControlChars(text) {
    return text.replace(CONTROL_RUNS, ' ');
}
/**
 * At most `max` characters, the last one `…` when something was cut.
 * Every cut scrubs the whole text of known secrets first, and drops what a
 * cut leaves of one at its edge: a secret across the cut never shows in part.
 */
function cut(text, max) {
    return (0,_secrets_js__WEBPACK_IMPORTED_MODULE_0__/* .scrubCut */ .aO)(text, max);
}
/** One line, no control characters, bounded length: safe for `::error::`. */
function oneLine(text, max = 300) {
    return cut(spaceControlChars(text).replace(/\s+/g, ' ').trim(), max);
}
/** Names in a message: the first `max`, then how many more. */
function listSome(items, max) {
    return items.length > max ? `${items.slice(0, max).join(', ')} and ${items.length - max} more` : items.join(', ');
}
/** A value as it appears in an error message: quoted, cut after 40 characters. */
function quote(value, max = 40) {
    return JSON.stringify(cut(value, max + 1));
}
/** Legacy workflow commands (`##[command]data`) are recognised anywhere in a line. */
const LEGACY_COMMAND = /##\[/g;
/**
 * Outside text (a status, an id, a file path, an API message) as one inert
 * log line: no line break, no `::` where a line starts (the runner trims
 * leading space before it looks), no `##[` anywhere (the legacy command form
 * is found mid-line). A zero-width space breaks each up; the words stay.
 */
function inert(text) {
    const flat = spaceControlChars(text).replace(LEGACY_COMMAND, '#\u200b#[');
    return flat.trimStart().startsWith('::') ? `\u200b${flat}` : flat;
}
// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;?]*[A-Za-z]/g;
/** Terminal colours and cursor moves removed (the log shows them; a summary or an annotation cannot). */
function stripAnsi(text) {
    return text.replace(ANSI, '');
}
/** Whether a status looks like one (`build-error`): only then is it shown as is. */
function looksLikeStatus(status) {
    return /^[a-z-]+$/.test(status);
}
/** A status as it may be shown: as is when it looks like one, else quoted. */
function statusLabel(status) {
    return looksLikeStatus(status) ? status : JSON.stringify(oneLine(status, 60));
}


/***/ }),

/***/ 1281:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   Hc: () => (/* binding */ answerUrlProblem),
/* harmony export */   Nm: () => (/* binding */ sameOrigin),
/* harmony export */   Pl: () => (/* binding */ safeUrl),
/* harmony export */   _1: () => (/* binding */ mayCarrySecrets),
/* harmony export */   cL: () => (/* binding */ bearerUrlProblem),
/* harmony export */   cU: () => (/* binding */ isHttpsOrLoopback),
/* harmony export */   cW: () => (/* binding */ isLoopbackHost)
/* harmony export */ });
/* unused harmony export parseUrl */
/**
 * Where a secret may travel, and how a URL is printed: the one URL policy
 * every client uses.
 */
function isLoopbackHost(hostname) {
    const h = hostname.replace(/^\[|\]$/g, '').toLowerCase();
    if (h === 'localhost' || h === '::1')
        return true;
    return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}
/** The URL, or undefined when it is not one. */
function parseUrl(url) {
    try {
        return new URL(url);
    }
    catch {
        return undefined;
    }
}
/**
 * Whether a URL may carry a secret: https/wss, or plain http/ws to a
 * loopback host (tests). The one rule for every token we send.
 */
function mayCarrySecrets(url) {
    const u = parseUrl(url);
    if (!u)
        return false;
    if (u.protocol === 'https:' || u.protocol === 'wss:')
        return true;
    return (u.protocol === 'http:' || u.protocol === 'ws:') && isLoopbackHost(u.hostname);
}
/** https, or plain http to a loopback host: the rule for base URLs given as inputs. */
function isHttpsOrLoopback(u) {
    return u.protocol === 'https:' || (u.protocol === 'http:' && isLoopbackHost(u.hostname));
}
/** A URL safe to print: no credentials, no query string. */
function safeUrl(url) {
    const u = parseUrl(url);
    return u ? `${u.protocol}//${u.host}${u.pathname}` : '(invalid URL)';
}
/** Same scheme, host and port: where the bearer may go besides the API's own URLs. */
function sameOrigin(url, base) {
    const u = parseUrl(url);
    const b = parseUrl(base);
    return !!u && !!b && u.origin === b.origin && !u.username && !u.password;
}
/**
 * What is wrong with a URL an answer hands us to use (a redirect's
 * Location, a signed upload or download URL): it must be https (plain http
 * to a loopback host, for tests) and carry no `user:password@`. Its signing
 * query string is expected (and masked). Undefined when it is fine.
 */
function answerUrlProblem(url) {
    const u = parseUrl(url);
    if (!u)
        return 'it is not a URL';
    if (!isHttpsOrLoopback(u))
        return `it is not https (${u.protocol}//${u.host})`;
    if (u.username || u.password)
        return 'it carries a user name or password';
    return undefined;
}
/**
 * Why a URL an answer hands us (the deployment stream, a one-off's attach
 * URL) may not get the bearer, or undefined when it may: `scheme` (its
 * plain form only to a loopback host, for tests), no `user:pass@`, on the
 * API's own host or, when `underScalingo`, a host under scalingo.com.
 */
function bearerUrlProblem(url, apiUrl, opts) {
    const u = parseUrl(url);
    const api = parseUrl(apiUrl);
    if (!u || !api)
        return 'it is not a URL';
    const plain = opts.scheme === 'https' ? 'http:' : 'ws:';
    if (u.protocol !== `${opts.scheme}:` && !(u.protocol === plain && isLoopbackHost(u.hostname)))
        return `it is not ${opts.scheme} (${u.protocol}//${u.host})`;
    if (u.username || u.password)
        return 'it carries a user name or password';
    const host = u.hostname.toLowerCase();
    if (host === api.hostname.toLowerCase() || (opts.underScalingo && host.endsWith('.scalingo.com')))
        return undefined;
    return opts.underScalingo
        ? `${u.hostname} is neither the API's host nor under scalingo.com`
        : `${u.hostname} is not the API's host`;
}


/***/ }),

/***/ 7471:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   _: () => (/* binding */ USER_AGENT)
/* harmony export */ });
/* unused harmony export VERSION */
/** Sent in the User-Agent; a test keeps it equal to package.json's version. */
const VERSION = '1.0.0';
const USER_AGENT = `scalingo-deploy-action/${VERSION}`;


/***/ }),

/***/ 1730:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   e: () => (/* binding */ run)
/* harmony export */ });
/* harmony import */ var _actions_core__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(2313);
/* harmony import */ var _lib_log_js__WEBPACK_IMPORTED_MODULE_1__ = __nccwpck_require__(1025);
/* harmony import */ var _lib_clock_js__WEBPACK_IMPORTED_MODULE_2__ = __nccwpck_require__(4517);
/* harmony import */ var _report_failure_js__WEBPACK_IMPORTED_MODULE_3__ = __nccwpck_require__(3304);
/* harmony import */ var _report_notify_js__WEBPACK_IMPORTED_MODULE_4__ = __nccwpck_require__(4669);
/* harmony import */ var _settings_notify_js__WEBPACK_IMPORTED_MODULE_5__ = __nccwpck_require__(2584);
/* harmony import */ var _report_finish_js__WEBPACK_IMPORTED_MODULE_6__ = __nccwpck_require__(9547);
/* harmony import */ var _report_report_js__WEBPACK_IMPORTED_MODULE_7__ = __nccwpck_require__(8850);
/* harmony import */ var _settings_inputs_js__WEBPACK_IMPORTED_MODULE_8__ = __nccwpck_require__(7428);
/* harmony import */ var _settings_settings_js__WEBPACK_IMPORTED_MODULE_9__ = __nccwpck_require__(7100);
/* harmony import */ var _report_signals_js__WEBPACK_IMPORTED_MODULE_10__ = __nccwpck_require__(9879);
/* harmony import */ var _stages_conclude_js__WEBPACK_IMPORTED_MODULE_11__ = __nccwpck_require__(834);
/* harmony import */ var _stages_context_js__WEBPACK_IMPORTED_MODULE_12__ = __nccwpck_require__(2088);
/* harmony import */ var _stages_deliver_js__WEBPACK_IMPORTED_MODULE_13__ = __nccwpck_require__(19);
/* harmony import */ var _stages_follow_js__WEBPACK_IMPORTED_MODULE_14__ = __nccwpck_require__(3994);
/* harmony import */ var _stages_prepare_js__WEBPACK_IMPORTED_MODULE_15__ = __nccwpck_require__(6845);
/* harmony import */ var _stages_verify_js__WEBPACK_IMPORTED_MODULE_16__ = __nccwpck_require__(9790);

















/**
 * The action, as a pipeline: settings → prepare → deliver → follow → verify → report.
 * Each stage is a module; this function only wires them together.
 */
async function run(env = process.env, clock = _lib_clock_js__WEBPACK_IMPORTED_MODULE_2__/* .systemClock */ .ml) {
    const startedAt = clock.now();
    const get = name => _actions_core__WEBPACK_IMPORTED_MODULE_0__/* .getInput */ .V4(name);
    // Secrets are masked the moment they are read, before anything can print them.
    (0,_settings_inputs_js__WEBPACK_IMPORTED_MODULE_8__/* .maskSecretInputs */ .q)(get);
    const report = (0,_report_report_js__WEBPACK_IMPORTED_MODULE_7__/* .newReport */ .bQ)();
    let ctx;
    let notify;
    let cut = false;
    // Outputs and summary first, then the chat: once, whichever ending comes first.
    const finish = () => (0,_report_finish_js__WEBPACK_IMPORTED_MODULE_6__/* .finishRun */ .J)(report, env, () => (0,_report_notify_js__WEBPACK_IMPORTED_MODULE_4__/* .notifyChat */ .Y6)(notify, (0,_report_notify_js__WEBPACK_IMPORTED_MODULE_4__/* .deployNotice */ .qx)(report), { env, clock, durationMs: clock.now() - startedAt, cancelled: cut }));
    const beforeExit = () => {
        cut = true;
        return ctx ? (0,_stages_conclude_js__WEBPACK_IMPORTED_MODULE_11__/* .cancelled */ .KW)(ctx) : undefined;
    };
    const stopGuarding = (0,_report_signals_js__WEBPACK_IMPORTED_MODULE_10__/* .guardRun */ .js)(report, env, beforeExit, { exit: code => process.exit(code), finish });
    try {
        // Read first: a run refused for any other input still tells the chat.
        notify = (0,_settings_notify_js__WEBPACK_IMPORTED_MODULE_5__/* .readNotifySettings */ .J)(get);
        const settings = (0,_settings_settings_js__WEBPACK_IMPORTED_MODULE_9__/* .readSettings */ .sb)(get, env);
        ctx = (0,_stages_context_js__WEBPACK_IMPORTED_MODULE_12__/* .createContext */ .q)(settings, env, clock, report, startedAt);
        const prepared = await (0,_stages_prepare_js__WEBPACK_IMPORTED_MODULE_15__/* .prepare */ .i)(ctx);
        if (prepared.decision !== 'deploy')
            return;
        const { deployment, stream } = await (0,_stages_deliver_js__WEBPACK_IMPORTED_MODULE_13__/* .deliver */ .c)(ctx, prepared);
        if (!settings.wait)
            return _lib_log_js__WEBPACK_IMPORTED_MODULE_1__/* .info */ .pq('wait is false: not following the deployment');
        await (0,_stages_follow_js__WEBPACK_IMPORTED_MODULE_14__/* .followToEnd */ .c)(ctx, deployment, stream);
        await (0,_stages_verify_js__WEBPACK_IMPORTED_MODULE_16__/* .verify */ .M)(ctx, prepared, deployment);
    }
    catch (err) {
        (0,_report_failure_js__WEBPACK_IMPORTED_MODULE_3__/* .reportFailure */ .x)(report, err);
    }
    finally {
        // Still guarded: a cancellation now ends the run once, with the same outputs and summary.
        if (ctx)
            await (0,_stages_conclude_js__WEBPACK_IMPORTED_MODULE_11__/* .conclude */ .Ep)(ctx);
        await finish();
        stopGuarding();
    }
}


/***/ }),

/***/ 3304:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   x: () => (/* binding */ reportFailure)
/* harmony export */ });
/* harmony import */ var _actions_core__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(2313);
/* harmony import */ var _lib_errors_js__WEBPACK_IMPORTED_MODULE_1__ = __nccwpck_require__(7268);
/* harmony import */ var _lib_log_js__WEBPACK_IMPORTED_MODULE_2__ = __nccwpck_require__(1025);
/* harmony import */ var _lib_text_js__WEBPACK_IMPORTED_MODULE_3__ = __nccwpck_require__(9112);




/**
 * The run failed: one annotation, titled when the error has a title (a
 * failed deployment), the message kept for the summary; a stack only in
 * the debug output, scrubbed.
 */
function reportFailure(report, err) {
    report.error = (0,_lib_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .describeError */ .Uc)(err);
    if (err instanceof _lib_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .ActionError */ .lZ && err.title) {
        _actions_core__WEBPACK_IMPORTED_MODULE_0__/* .error */ .z3((0,_lib_text_js__WEBPACK_IMPORTED_MODULE_3__/* .inert */ .tJ)(report.error), { title: (0,_lib_text_js__WEBPACK_IMPORTED_MODULE_3__/* .inert */ .tJ)(err.title) });
        process.exitCode = 1;
    }
    else {
        _actions_core__WEBPACK_IMPORTED_MODULE_0__/* .setFailed */ .C1((0,_lib_text_js__WEBPACK_IMPORTED_MODULE_3__/* .inert */ .tJ)(report.error));
    }
    if (!(err instanceof _lib_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .ActionError */ .lZ) && err instanceof Error && err.stack)
        _lib_log_js__WEBPACK_IMPORTED_MODULE_2__/* .debug */ .Yz((0,_lib_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .describeError */ .Uc)(err.stack));
}


/***/ }),

/***/ 9547:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   F: () => (/* binding */ writeOnce),
/* harmony export */   J: () => (/* binding */ finishRun)
/* harmony export */ });
/* harmony import */ var _report_js__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(8850);
/* harmony import */ var _summary_js__WEBPACK_IMPORTED_MODULE_1__ = __nccwpck_require__(7994);


/** Each run's outputs and summary, once written (or being written), by its report. */
const finished = new WeakMap();
/**
 * `write` (a run's outputs and job summary) done exactly once per report,
 * by whichever ending comes first: the pipeline's own, or a cancellation
 * that arrives as it finishes. The other waits for the same writes.
 */
function writeOnce(report, write) {
    let writing = finished.get(report);
    if (!writing) {
        writing = write();
        finished.set(report, writing);
    }
    return writing;
}
/** The deploy action's outputs and summary, once; then `tell` (the chat), once. */
function finishRun(report, env, tell) {
    return writeOnce(report, async () => {
        (0,_report_js__WEBPACK_IMPORTED_MODULE_0__/* .setOutputs */ .n0)(report);
        await (0,_summary_js__WEBPACK_IMPORTED_MODULE_1__/* .writeSummary */ .Sy)(report, env);
        await tell?.();
    });
}


/***/ }),

/***/ 1973:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {


// EXPORTS
__nccwpck_require__.d(__webpack_exports__, {
  F8: () => (/* binding */ asData),
  Z4: () => (/* binding */ mostTellingLine),
  tj: () => (/* binding */ printLines)
});

;// CONCATENATED MODULE: external "node:crypto"
const external_node_crypto_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:crypto");
// EXTERNAL MODULE: external "node:os"
var external_node_os_ = __nccwpck_require__(8161);
// EXTERNAL MODULE: ./src/lib/secrets.ts
var secrets = __nccwpck_require__(5714);
// EXTERNAL MODULE: ./src/lib/text.ts
var lib_text = __nccwpck_require__(9112);
;// CONCATENATED MODULE: ./src/report/log.ts




/** Printing what came from the build: as data, never as workflow commands. */
/**
 * Build output is data, not commands: a buildpack printing `::add-mask::`
 * or `::error::` must not drive the runner. The lines, as one text to
 * write, between `::stop-commands::<token>` and `::<token>::` (a fresh
 * random token each time).
 */
function asData(lines) {
    const token = (0,external_node_crypto_namespaceObject.randomBytes)(16).toString('hex');
    return `::stop-commands::${token}${external_node_os_.EOL}${lines.map(line => `${line}${external_node_os_.EOL}`).join('')}::${token}::${external_node_os_.EOL}`;
}
/** Lines printed again outside the build log's group (a failure's tail), scrubbed, as data. */
function printLines(lines) {
    process.stdout.write(asData(lines.map(secrets/* scrub */._I)));
}
const TELLING = /ERR!|\b(error|failed|failure|fatal|exception|panic|denied|not found|cannot|can't|unable|missing|killed|timed? ?out)\b|^\s*!/i;
/** Lines that say a build failed without saying why: the trailers buildpacks and npm end with. */
const GENERIC = /push rejected|push failed|failed to compile|build failed|deployment failed|an error occurred|a complete log|see the (full )?log|for more (information|details)|^\W*(error|failed)\W*$/i;
/**
 * The build-log line that best says why: the last one that looks like an
 * error (npm ERR!, Error:, buildpack ` !` lines) and names a cause, not a
 * generic trailer ("Push rejected, failed to compile…"); else the last
 * trailer; else the last line.
 */
function mostTellingLine(lines) {
    const clean = lines.map(l => (0,lib_text/* stripAnsi */.aJ)(l).trim()).filter(l => l !== '');
    const telling = [...clean].reverse().filter(l => TELLING.test(l));
    const line = telling.find(l => !GENERIC.test(l)) ?? telling[0] ?? clean[clean.length - 1];
    return line === undefined ? undefined : (0,lib_text/* cut */.Jj)(line, 200);
}


/***/ }),

/***/ 4669:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   PD: () => (/* binding */ reviewNotice),
/* harmony export */   Y6: () => (/* binding */ notifyChat),
/* harmony export */   qx: () => (/* binding */ deployNotice),
/* harmony export */   y: () => (/* binding */ oneOffNotice)
/* harmony export */ });
/* unused harmony exports NOTIFY_BUDGET_MS, NOTIFY_CANCEL_BUDGET_MS, chatEscape, chatLink, chatText, wanted, postToChat */
/* harmony import */ var _lib_clock_js__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(4517);
/* harmony import */ var _lib_errors_js__WEBPACK_IMPORTED_MODULE_1__ = __nccwpck_require__(7268);
/* harmony import */ var _lib_http_js__WEBPACK_IMPORTED_MODULE_2__ = __nccwpck_require__(1931);
/* harmony import */ var _lib_log_js__WEBPACK_IMPORTED_MODULE_3__ = __nccwpck_require__(1025);
/* harmony import */ var _lib_secrets_js__WEBPACK_IMPORTED_MODULE_4__ = __nccwpck_require__(5714);
/* harmony import */ var _lib_text_js__WEBPACK_IMPORTED_MODULE_5__ = __nccwpck_require__(9112);
/* harmony import */ var _lib_version_js__WEBPACK_IMPORTED_MODULE_8__ = __nccwpck_require__(7471);
/* harmony import */ var _oneoff_js__WEBPACK_IMPORTED_MODULE_6__ = __nccwpck_require__(2829);
/* harmony import */ var _reviewapp_js__WEBPACK_IMPORTED_MODULE_7__ = __nccwpck_require__(9745);









/** The longest piece of outside text in a message, and the longest failure line. */
const MAX_TEXT = 200;
const MAX_DETAIL = 500;
/** The whole notification, retry included; on cancellation, what the runner leaves. */
const NOTIFY_BUDGET_MS = 15_000;
const NOTIFY_CANCEL_BUDGET_MS = 4_000;
const RETRY_AFTER_CAP_MS = 10_000;
const RETRY_DEFAULT_MS = 2_000;
/**
 * Outside text as chat text: scrubbed and cut, one line, Slack's three
 * control characters escaped (no `<!channel>`, `<@U…>` or `<url|label>`
 * of theirs), every `@` followed by a zero-width space (no Mattermost
 * mention), and `](` broken (no Markdown link in Mattermost).
 */
function chatEscape(text, max = MAX_TEXT) {
    return (0,_lib_secrets_js__WEBPACK_IMPORTED_MODULE_4__/* .scrubCut */ .aO)((0,_lib_text_js__WEBPACK_IMPORTED_MODULE_5__/* .spaceControlChars */ .Nl)(text), max)
        .replace(/&/g, '&amp;')
        .replace(/</g, '&lt;')
        .replace(/>/g, '&gt;')
        .replace(/@/g, '@\u200b')
        .replace(/\]\(/g, ']\u200b(');
}
/** A link in Slack's form (Mattermost reads it too), only to a plain http(s) URL; else the label alone. */
function chatLink(url, label) {
    const text = chatEscape(label);
    if (!url || !/^https?:\/\/[^\s<>|&"'`]+$/.test(url))
        return text;
    return `<${url}|${text}>`;
}
/** The message (pure): one line of what happened, one of links, and on failure one more with why. */
function chatText(n, ctx) {
    const server = (ctx.env.GITHUB_SERVER_URL || 'https://github.com').replace(/\/+$/, '');
    const workflowRepo = ctx.env.GITHUB_REPOSITORY ?? '';
    const repo = n.repository || workflowRepo;
    const sha = n.sha || ctx.env.GITHUB_SHA || '';
    const head = [`${n.emoji} *${chatEscape(n.app)}* ${chatEscape(n.happened, 300)}`];
    if (/^[0-9a-f]{40}$/i.test(sha))
        head.push(repo ? chatLink(`${server}/${repo}/commit/${sha}`, sha.slice(0, 7)) : sha.slice(0, 7));
    // The ref given, else the workflow's own (a tag push's tag) when its commit is the one shipped.
    const ref = n.ref && n.ref !== sha ? n.ref : sha && sha === ctx.env.GITHUB_SHA ? ctx.env.GITHUB_REF_NAME : undefined;
    if (ref)
        head.push(chatEscape(ref));
    // A login, without @: it names the actor and mentions nobody.
    if (ctx.env.GITHUB_ACTOR)
        head.push(`by ${chatEscape(ctx.env.GITHUB_ACTOR, 60)}`);
    head.push((0,_lib_clock_js__WEBPACK_IMPORTED_MODULE_0__/* .formatDuration */ .a3)(ctx.durationMs));
    const links = [];
    if (workflowRepo && ctx.env.GITHUB_RUN_ID)
        links.push(chatLink(`${server}/${workflowRepo}/actions/runs/${ctx.env.GITHUB_RUN_ID}`, 'workflow run'));
    if (n.appUrl)
        links.push(chatLink(n.appUrl, 'app'));
    const lines = [head.join(' · ')];
    if (links.length)
        lines.push(links.join(' · '));
    if (n.outcome === 'failure' && n.detail)
        lines.push(`> ${chatEscape(n.detail, MAX_DETAIL)}`);
    return lines.join('\n');
}
/** Whether `notify-on` wants this run told. */
function wanted(on, outcome) {
    if (on === 'failure')
        return outcome === 'failure';
    if (on === 'change')
        return outcome === 'success' || outcome === 'failure';
    return true;
}
/** The deploy action's notice. */
function deployNotice(r) {
    const base = { app: r.app, sha: r.sha, repository: r.repository, ref: r.ref, appUrl: r.appUrl, detail: r.error };
    const short = (sha) => (sha ? sha.slice(0, 7) : 'the previous commit');
    if (r.plan)
        return { ...base, outcome: 'neutral', emoji: '🧪', happened: 'dry run: everything checked, nothing deployed' };
    if (r.skipped && !r.error)
        return { ...base, outcome: 'skipped', emoji: '⏭️', happened: 'skipped: already live' };
    if (r.error?.startsWith('cancelled'))
        return { ...base, outcome: 'failure', emoji: '🛑', happened: 'cancelled' };
    if (r.rolledBack)
        return {
            ...base,
            outcome: 'failure',
            emoji: '↩️',
            happened: `health check failed: rolled back to ${short(r.previousSha)}`
        };
    if (r.health === 'failed')
        return { ...base, outcome: 'failure', emoji: '❌', happened: 'deployed, but the health check failed' };
    if (r.timedOut)
        return { ...base, outcome: 'failure', emoji: '⏱️', happened: `still ${r.status ?? 'running'} at the timeout` };
    if (r.error)
        return { ...base, outcome: 'failure', emoji: '❌', happened: `failed${r.status ? ` (${r.status})` : ''}` };
    if (!r.waited)
        return { ...base, outcome: 'success', emoji: '🚀', happened: 'deployment created (not followed)' };
    return { ...base, outcome: 'success', emoji: '✅', happened: 'deployed' };
}
/** The `run` action's notice: the workflow's commit, the one-off's end. */
function oneOffNotice(r) {
    // Scrubbed before it is cut: a secret across the cut never shows in part.
    const what = `one-off ${(0,_oneoff_js__WEBPACK_IMPORTED_MODULE_6__/* .commandLabel */ .Md)(r.command)}`;
    const base = { app: r.app, detail: r.error };
    switch (r.status) {
        case 'success':
            return { ...base, outcome: 'success', emoji: '✅', happened: `${what} exited with 0` };
        case 'failed':
            return { ...base, outcome: 'failure', emoji: '❌', happened: `${what} exited with ${r.exitCode ?? '?'}` };
        case 'detached':
            return { ...base, outcome: 'success', emoji: '🚀', happened: `${what} started, detached` };
        case 'dry-run':
            return { ...base, outcome: 'neutral', emoji: '🧪', happened: `dry run: ${what} checked, not started` };
        case 'timed-out':
            return { ...base, outcome: 'failure', emoji: '⏱️', happened: `${what} stopped at the timeout` };
        case 'cancelled':
            return { ...base, outcome: 'failure', emoji: '🛑', happened: `${what} cancelled` };
        case 'inactive':
            return { ...base, outcome: 'failure', emoji: '💤', happened: `${what} stopped for inactivity` };
        default:
            return { ...base, outcome: 'failure', emoji: '❌', happened: `${what} could not run` };
    }
}
/** The `review-app` action's notice. */
function reviewNotice(r) {
    const base = { app: r.app || r.parent, sha: r.sha, ref: r.headRef, appUrl: r.appUrl, detail: r.error };
    const pr = r.pullRequest ? ` (pull request #${r.pullRequest})` : '';
    switch ((0,_reviewapp_js__WEBPACK_IMPORTED_MODULE_7__/* .reviewStatus */ .n6)(r)) {
        case 'success':
            return { ...base, outcome: 'success', emoji: '✅', happened: `review app ready${pr}` };
        case 'destroyed':
            return { ...base, outcome: 'success', emoji: '🗑️', happened: `review app destroyed${pr}` };
        case 'skipped':
            return {
                ...base,
                outcome: 'skipped',
                emoji: '⏭️',
                happened: `review app skipped${pr}: ${r.note ? 'a fork' : 'already live'}`
            };
        case 'dry-run':
            return { ...base, outcome: 'neutral', emoji: '🧪', happened: `review app dry run${pr}: nothing changed` };
        default:
            return {
                ...base,
                outcome: 'failure',
                emoji: '❌',
                happened: `review app failed${pr}${r.status && r.status !== 'skipped' ? ` (${r.status})` : ''}`
            };
    }
}
/**
 * One POST of the message. A 429 or a 5xx is sent once more after its
 * Retry-After (at most 10 s) or 2 s; anything else that fails, and a second
 * failure, is a warning naming the status. Never longer than `budgetMs`.
 */
async function postToChat(webhook, text, opts) {
    const deadline = opts.clock.now() + opts.budgetMs;
    const http = new _lib_http_js__WEBPACK_IMPORTED_MODULE_2__/* .Http */ .lw({ userAgent: _lib_version_js__WEBPACK_IMPORTED_MODULE_8__/* .USER_AGENT */ ._, clock: opts.clock });
    http.deadline = deadline;
    try {
        for (let attempt = 1;; attempt++) {
            try {
                await http.request({ method: 'POST', url: webhook, json: { text }, retry: 'none' });
                _lib_log_js__WEBPACK_IMPORTED_MODULE_3__/* .info */ .pq('Told the chat how the run went');
                return 'sent';
            }
            catch (err) {
                const wait = attempt === 1 ? retryDelay(err, opts.clock.now()) : undefined;
                if (wait === undefined || opts.clock.now() + wait >= deadline)
                    return giveUp(err);
                _lib_log_js__WEBPACK_IMPORTED_MODULE_3__/* .info */ .pq(`(the chat webhook answered ${err.status ?? 'nothing'}; sending again in ${(0,_lib_clock_js__WEBPACK_IMPORTED_MODULE_0__/* .formatDuration */ .a3)(wait)})`);
                await opts.clock.sleep(wait);
            }
        }
    }
    finally {
        http.dispose();
    }
}
/** How long to wait before the one retry, or undefined when there is none (a 4xx, or a request that may have been sent). */
function retryDelay(err, now) {
    if (err instanceof _lib_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .NetworkError */ .Dr)
        return err.unsent ? RETRY_DEFAULT_MS : undefined;
    if (!(err instanceof _lib_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .HttpError */ .j$) || (err.status !== 429 && err.status < 500))
        return undefined;
    const after = (0,_lib_http_js__WEBPACK_IMPORTED_MODULE_2__/* .parseRetryAfter */ .mu)(err.headers['retry-after'], now);
    return Math.min(after ?? RETRY_DEFAULT_MS, RETRY_AFTER_CAP_MS);
}
function giveUp(err) {
    if (err instanceof _lib_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .HttpError */ .j$) {
        const why = err.status === 404 || err.status === 410
            ? ': the webhook was removed, or its channel archived (Slack)'
            : err.status === 400
                ? ': the message was refused, or the webhook deleted (Mattermost)'
                : err.status === 403
                    ? ': the webhook is disabled'
                    : '';
        _lib_log_js__WEBPACK_IMPORTED_MODULE_3__/* .warning */ .$e(`Could not tell the chat: the webhook answered ${err.status}${why}. The run's result is unchanged.`);
    }
    else {
        _lib_log_js__WEBPACK_IMPORTED_MODULE_3__/* .warning */ .$e(`Could not tell the chat: ${(0,_lib_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .describeError */ .Uc)(err)}. The run's result is unchanged.`);
    }
    return 'failed';
}
/** Tells the chat, when a webhook is set and `notify-on` wants this outcome; never throws. */
async function notifyChat(settings, notice, ctx) {
    if (!settings?.webhook || !wanted(settings.on, notice.outcome))
        return;
    try {
        const budgetMs = ctx.cancelled ? NOTIFY_CANCEL_BUDGET_MS : NOTIFY_BUDGET_MS;
        await postToChat(settings.webhook, chatText(notice, ctx), { clock: ctx.clock, budgetMs });
    }
    catch (err) {
        _lib_log_js__WEBPACK_IMPORTED_MODULE_3__/* .warning */ .$e(`Could not tell the chat: ${(0,_lib_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .describeError */ .Uc)(err)}. The run's result is unchanged.`);
    }
}


/***/ }),

/***/ 2829:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   Md: () => (/* binding */ commandLabel),
/* harmony export */   PO: () => (/* binding */ writeOneOffSummary),
/* harmony export */   om: () => (/* binding */ newOneOffReport),
/* harmony export */   uu: () => (/* binding */ setOneOffOutputs)
/* harmony export */ });
/* unused harmony exports RUN_OUTPUTS, oneOffSummaryMarkdown */
/* harmony import */ var _actions_core__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(2313);
/* harmony import */ var _lib_clock_js__WEBPACK_IMPORTED_MODULE_1__ = __nccwpck_require__(4517);
/* harmony import */ var _lib_markdown_js__WEBPACK_IMPORTED_MODULE_2__ = __nccwpck_require__(3862);
/* harmony import */ var _lib_secrets_js__WEBPACK_IMPORTED_MODULE_3__ = __nccwpck_require__(5714);
/* harmony import */ var _lib_text_js__WEBPACK_IMPORTED_MODULE_4__ = __nccwpck_require__(9112);
/* harmony import */ var _scalingo_regions_js__WEBPACK_IMPORTED_MODULE_5__ = __nccwpck_require__(6487);
/* harmony import */ var _summary_js__WEBPACK_IMPORTED_MODULE_6__ = __nccwpck_require__(7994);







/** The command as messages name it (the log, errors, the chat): one line, scrubbed, at most 80 characters. */
function commandLabel(command) {
    return `\`${(0,_lib_text_js__WEBPACK_IMPORTED_MODULE_4__/* .oneLine */ .TN)(command, 80)}\``;
}
function newOneOffReport() {
    return { app: '', region: '', command: '', envNames: [], detached: false };
}
/** Every output of the `run` action. */
const RUN_OUTPUTS = { exitCode: 'exit-code', container: 'container', status: 'status' };
function setOneOffOutputs(r) {
    _actions_core__WEBPACK_IMPORTED_MODULE_0__/* .setOutput */ .uH(RUN_OUTPUTS.exitCode, r.exitCode === undefined ? '' : String(r.exitCode));
    _actions_core__WEBPACK_IMPORTED_MODULE_0__/* .setOutput */ .uH(RUN_OUTPUTS.container, r.container ?? '');
    _actions_core__WEBPACK_IMPORTED_MODULE_0__/* .setOutput */ .uH(RUN_OUTPUTS.status, r.status ?? 'error');
}
const HEADLINES = {
    success: '✅ Scalingo one-off succeeded',
    failed: '❌ Scalingo one-off failed',
    'timed-out': '⏱️ Scalingo one-off stopped at the timeout',
    cancelled: '🛑 Scalingo one-off cancelled',
    inactive: '💤 Scalingo one-off stopped for inactivity',
    detached: '🚀 Scalingo one-off started, detached',
    error: '❌ Scalingo one-off could not run',
    'dry-run': '🧪 Scalingo one-off dry run: checked, nothing started'
};
/** The job summary as Markdown (pure); everything from outside is inert. */
function oneOffSummaryMarkdown(r) {
    const rows = [
        ['App', (0,_lib_markdown_js__WEBPACK_IMPORTED_MODULE_2__/* .cellCode */ .GA)(r.app)],
        ['Region', (0,_lib_markdown_js__WEBPACK_IMPORTED_MODULE_2__/* .cellCode */ .GA)(r.region)],
        ['Command', (0,_lib_markdown_js__WEBPACK_IMPORTED_MODULE_2__/* .cellCode */ .GA)(r.command, 500)]
    ];
    if (r.envNames.length)
        rows.push(['Env', (0,_lib_markdown_js__WEBPACK_IMPORTED_MODULE_2__/* .cellCode */ .GA)(r.envNames.join(', '))]);
    if (r.container)
        rows.push(['Container', (0,_lib_markdown_js__WEBPACK_IMPORTED_MODULE_2__/* .cellCode */ .GA)(r.container)]);
    rows.push(['Size', r.size ? (0,_lib_markdown_js__WEBPACK_IMPORTED_MODULE_2__/* .cellCode */ .GA)(r.size) : 'default']);
    rows.push(['Status', (0,_lib_markdown_js__WEBPACK_IMPORTED_MODULE_2__/* .cellCode */ .GA)(r.status ?? 'error')]);
    if (r.exitCode !== undefined)
        rows.push(['Exit code', (0,_lib_markdown_js__WEBPACK_IMPORTED_MODULE_2__/* .cellCode */ .GA)(String(r.exitCode))]);
    if (r.durationSeconds !== undefined)
        rows.push(['Duration', (0,_lib_clock_js__WEBPACK_IMPORTED_MODULE_1__/* .formatDuration */ .a3)(r.durationSeconds * 1000)]);
    let md = (0,_summary_js__WEBPACK_IMPORTED_MODULE_6__/* .summaryTable */ .jb)(HEADLINES[r.status ?? 'error'], rows);
    if (r.status === 'detached' && r.container)
        md += `\nScalingo reports no exit code for a detached one-off; its output goes to the app's logs: ${(0,_lib_markdown_js__WEBPACK_IMPORTED_MODULE_2__/* .code */ .aY)((0,_scalingo_regions_js__WEBPACK_IMPORTED_MODULE_5__/* .oneOffLogsCommand */ .ak)(r.region, r.app, r.container))}\n`;
    if (r.plan)
        md += `\n**Plan:**\n\n${r.plan.map(l => `- ${(0,_lib_markdown_js__WEBPACK_IMPORTED_MODULE_2__/* .code */ .aY)(l)}`).join('\n')}\n`;
    if (r.error)
        md += `\n**Error:** ${(0,_lib_markdown_js__WEBPACK_IMPORTED_MODULE_2__/* .code */ .aY)(r.error)}\n`;
    md += (0,_summary_js__WEBPACK_IMPORTED_MODULE_6__/* .tailBlock */ .Wo)(r.tail, 'output');
    return (0,_lib_secrets_js__WEBPACK_IMPORTED_MODULE_3__/* .scrub */ ._I)(md);
}
function writeOneOffSummary(r, env) {
    return (0,_summary_js__WEBPACK_IMPORTED_MODULE_6__/* .writeJobSummary */ .j7)(oneOffSummaryMarkdown(r), env);
}


/***/ }),

/***/ 8850:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   bQ: () => (/* binding */ newReport),
/* harmony export */   n0: () => (/* binding */ setOutputs)
/* harmony export */ });
/* unused harmony export OUTPUTS */
/* harmony import */ var _actions_core__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(2313);

/** An empty report: the app and region are filled in once the inputs are read. */
function newReport() {
    return { app: '', region: '', stage: 'preparing', waited: true, rolledBack: false };
}
/** Every output the action sets, by the name users read in `steps.<id>.outputs`. */
const OUTPUTS = {
    deploymentId: 'deployment-id',
    status: 'status',
    sha: 'sha',
    archiveUrl: 'archive-url',
    appUrl: 'app-url',
    duration: 'duration',
    health: 'health',
    previousSha: 'previous-sha',
    rolledBack: 'rolled-back'
};
/** Written once, at the end of the run (or on cancellation). */
function setOutputs(r) {
    _actions_core__WEBPACK_IMPORTED_MODULE_0__/* .setOutput */ .uH(OUTPUTS.deploymentId, r.deploymentId ?? '');
    _actions_core__WEBPACK_IMPORTED_MODULE_0__/* .setOutput */ .uH(OUTPUTS.status, r.status ?? '');
    _actions_core__WEBPACK_IMPORTED_MODULE_0__/* .setOutput */ .uH(OUTPUTS.sha, r.sha ?? '');
    _actions_core__WEBPACK_IMPORTED_MODULE_0__/* .setOutput */ .uH(OUTPUTS.archiveUrl, r.archiveUrl ?? '');
    _actions_core__WEBPACK_IMPORTED_MODULE_0__/* .setOutput */ .uH(OUTPUTS.appUrl, r.appUrl ?? '');
    _actions_core__WEBPACK_IMPORTED_MODULE_0__/* .setOutput */ .uH(OUTPUTS.duration, r.durationSeconds !== undefined ? String(r.durationSeconds) : '');
    _actions_core__WEBPACK_IMPORTED_MODULE_0__/* .setOutput */ .uH(OUTPUTS.health, r.health ?? '');
    _actions_core__WEBPACK_IMPORTED_MODULE_0__/* .setOutput */ .uH(OUTPUTS.previousSha, r.previousSha ?? '');
    _actions_core__WEBPACK_IMPORTED_MODULE_0__/* .setOutput */ .uH(OUTPUTS.rolledBack, String(r.rolledBack));
}


/***/ }),

/***/ 9745:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   IH: () => (/* binding */ writeReviewSummary),
/* harmony export */   L8: () => (/* binding */ setReviewOutputs),
/* harmony export */   Nt: () => (/* binding */ newReviewReport),
/* harmony export */   Vb: () => (/* binding */ reviewCommentMarkdown),
/* harmony export */   n6: () => (/* binding */ reviewStatus)
/* harmony export */ });
/* unused harmony exports REVIEW_OUTPUTS, reviewSummaryMarkdown */
/* harmony import */ var _actions_core__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(2313);
/* harmony import */ var _lib_clock_js__WEBPACK_IMPORTED_MODULE_1__ = __nccwpck_require__(4517);
/* harmony import */ var _lib_markdown_js__WEBPACK_IMPORTED_MODULE_2__ = __nccwpck_require__(3862);
/* harmony import */ var _lib_secrets_js__WEBPACK_IMPORTED_MODULE_3__ = __nccwpck_require__(5714);
/* harmony import */ var _scalingo_statuses_js__WEBPACK_IMPORTED_MODULE_4__ = __nccwpck_require__(7178);
/* harmony import */ var _report_js__WEBPACK_IMPORTED_MODULE_5__ = __nccwpck_require__(8850);
/* harmony import */ var _summary_js__WEBPACK_IMPORTED_MODULE_6__ = __nccwpck_require__(7994);







function newReviewReport() {
    return { ...(0,_report_js__WEBPACK_IMPORTED_MODULE_5__/* .newReport */ .bQ)(), parent: '', created: false, addonsCreated: [], deployed: false };
}
/** The one status the outputs, the summary and the comment say. */
function reviewStatus(r) {
    if (r.error)
        return 'failed';
    if (r.outcome)
        return r.outcome;
    if (r.status === 'skipped')
        return r.afterCreate?.startsWith('ran') ? 'success' : 'skipped';
    if (r.status && ((0,_scalingo_statuses_js__WEBPACK_IMPORTED_MODULE_4__/* .isSuccess */ .oJ)(r.status) || !r.waited))
        return 'success';
    return r.deployed ? 'failed' : 'success';
}
const REVIEW_OUTPUTS = {
    app: 'app',
    appUrl: 'app-url',
    sha: 'sha',
    deploymentId: 'deployment-id',
    created: 'created',
    status: 'status'
};
function setReviewOutputs(r) {
    _actions_core__WEBPACK_IMPORTED_MODULE_0__/* .setOutput */ .uH(REVIEW_OUTPUTS.app, r.app);
    _actions_core__WEBPACK_IMPORTED_MODULE_0__/* .setOutput */ .uH(REVIEW_OUTPUTS.appUrl, r.appUrl ?? '');
    _actions_core__WEBPACK_IMPORTED_MODULE_0__/* .setOutput */ .uH(REVIEW_OUTPUTS.sha, r.sha ?? '');
    _actions_core__WEBPACK_IMPORTED_MODULE_0__/* .setOutput */ .uH(REVIEW_OUTPUTS.deploymentId, r.deploymentId ?? '');
    _actions_core__WEBPACK_IMPORTED_MODULE_0__/* .setOutput */ .uH(REVIEW_OUTPUTS.created, String(r.created));
    _actions_core__WEBPACK_IMPORTED_MODULE_0__/* .setOutput */ .uH(REVIEW_OUTPUTS.status, reviewStatus(r));
}
const HEADLINES = {
    success: '✅ Review app ready',
    failed: '❌ Review app failed',
    skipped: '⏭️ Review app skipped',
    destroyed: '🗑️ Review app destroyed',
    'dry-run': '🧪 Review app dry run: everything checked, nothing changed'
};
function reviewRows(r) {
    const rows = [
        ['Review app', r.appUrl ? (0,_lib_markdown_js__WEBPACK_IMPORTED_MODULE_2__/* .link */ .nf)((0,_lib_markdown_js__WEBPACK_IMPORTED_MODULE_2__/* .cellCode */ .GA)(r.app), r.appUrl) : (0,_lib_markdown_js__WEBPACK_IMPORTED_MODULE_2__/* .cellCode */ .GA)(r.app || '?')],
        ['Parent', (0,_lib_markdown_js__WEBPACK_IMPORTED_MODULE_2__/* .cellCode */ .GA)(r.parent)]
    ];
    if (r.pullRequest)
        rows.push(['Pull request', `#${r.pullRequest}${r.headRef ? ` ${(0,_lib_markdown_js__WEBPACK_IMPORTED_MODULE_2__/* .cellCode */ .GA)(r.headRef, 100)}` : ''}`]);
    rows.push(['Status', (0,_lib_markdown_js__WEBPACK_IMPORTED_MODULE_2__/* .cellCode */ .GA)(reviewStatus(r))]);
    if (r.outcome !== 'destroyed' && r.app)
        rows.push(['Created this run', r.created ? 'yes' : 'no']);
    if (r.addonsCreated.length)
        rows.push(['Addons added', (0,_lib_markdown_js__WEBPACK_IMPORTED_MODULE_2__/* .cellCode */ .GA)(r.addonsCreated.join(', '))]);
    if (r.variablesLine)
        rows.push(['Variables', (0,_lib_markdown_js__WEBPACK_IMPORTED_MODULE_2__/* .cellCode */ .GA)(r.variablesLine)]);
    if (r.afterCreate)
        rows.push(['after-create', (0,_lib_markdown_js__WEBPACK_IMPORTED_MODULE_2__/* .cellCode */ .GA)(r.afterCreate)]);
    if (r.durationSeconds !== undefined)
        rows.push(['Duration', (0,_lib_clock_js__WEBPACK_IMPORTED_MODULE_1__/* .formatDuration */ .a3)(r.durationSeconds * 1000)]);
    return rows;
}
/** The job summary (pure): the review app's table, then the deployment's own summary when one ran. */
function reviewSummaryMarkdown(r) {
    let md = (0,_summary_js__WEBPACK_IMPORTED_MODULE_6__/* .summaryTable */ .jb)(HEADLINES[reviewStatus(r)], reviewRows(r));
    if (r.note)
        md += `\n${(0,_lib_markdown_js__WEBPACK_IMPORTED_MODULE_2__/* .code */ .aY)(r.note)}\n`;
    if (r.deployed)
        md += `\n${(0,_summary_js__WEBPACK_IMPORTED_MODULE_6__/* .summaryMarkdown */ .eH)(r)}`;
    else if (r.plan)
        md += `\n**Plan:**\n\n${r.plan.map(l => `- ${(0,_lib_markdown_js__WEBPACK_IMPORTED_MODULE_2__/* .code */ .aY)(l)}`).join('\n')}\n`;
    if (!r.deployed && r.error)
        md += `\n**Error:** ${(0,_lib_markdown_js__WEBPACK_IMPORTED_MODULE_2__/* .code */ .aY)(r.error)}\n`;
    return (0,_lib_secrets_js__WEBPACK_IMPORTED_MODULE_3__/* .scrub */ ._I)(md);
}
function writeReviewSummary(r, env) {
    return (0,_summary_js__WEBPACK_IMPORTED_MODULE_6__/* .writeJobSummary */ .j7)(reviewSummaryMarkdown(r), env);
}
/** As the summary's, but for a skip, which a comment only ever shows for a commit already live. */
const COMMENT_HEADLINES = {
    ...HEADLINES,
    skipped: '⏭️ Review app unchanged: this commit is already live'
};
/** The pull request comment's Markdown (pure, below the marker): everything from outside is inert. */
function reviewCommentMarkdown(r, dashboardUrl) {
    const status = reviewStatus(r);
    const heading = `${COMMENT_HEADLINES[status]}: ${(0,_lib_markdown_js__WEBPACK_IMPORTED_MODULE_2__/* .code */ .aY)(r.app)}`;
    if (status === 'destroyed')
        return (0,_lib_secrets_js__WEBPACK_IMPORTED_MODULE_3__/* .scrub */ ._I)(`### ${heading}\n\n${(0,_lib_markdown_js__WEBPACK_IMPORTED_MODULE_2__/* .code */ .aY)(r.app)} was destroyed with its addons${r.note ? ` (${(0,_lib_markdown_js__WEBPACK_IMPORTED_MODULE_2__/* .code */ .aY)(r.note)})` : ''}.`);
    const rows = [];
    if (r.appUrl)
        rows.push(['App', (0,_lib_markdown_js__WEBPACK_IMPORTED_MODULE_2__/* .link */ .nf)(r.appUrl, r.appUrl)]);
    if (r.sha)
        rows.push(['Commit', (0,_lib_markdown_js__WEBPACK_IMPORTED_MODULE_2__/* .cellCode */ .GA)(r.sha.slice(0, 7))]);
    rows.push(['Status', (0,_lib_markdown_js__WEBPACK_IMPORTED_MODULE_2__/* .cellCode */ .GA)(status === 'failed' && r.status ? `${status} (${r.status})` : status)]);
    rows.push(['Dashboard', (0,_lib_markdown_js__WEBPACK_IMPORTED_MODULE_2__/* .link */ .nf)(dashboardUrl, dashboardUrl)]);
    let md = (0,_summary_js__WEBPACK_IMPORTED_MODULE_6__/* .summaryTable */ .jb)(heading, rows);
    if (status === 'failed' && r.error)
        md += `\n**Error:** ${(0,_lib_markdown_js__WEBPACK_IMPORTED_MODULE_2__/* .code */ .aY)(r.error, 500)}`;
    return (0,_lib_secrets_js__WEBPACK_IMPORTED_MODULE_3__/* .scrub */ ._I)(md);
}


/***/ }),

/***/ 9879:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   js: () => (/* binding */ guardRun)
/* harmony export */ });
/* unused harmony exports cancellationMessage, unexpectedMessage, endRun */
/* harmony import */ var _actions_core__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(2313);
/* harmony import */ var _lib_clock_js__WEBPACK_IMPORTED_MODULE_1__ = __nccwpck_require__(4517);
/* harmony import */ var _lib_errors_js__WEBPACK_IMPORTED_MODULE_2__ = __nccwpck_require__(7268);
/* harmony import */ var _lib_text_js__WEBPACK_IMPORTED_MODULE_3__ = __nccwpck_require__(9112);
/* harmony import */ var _finish_js__WEBPACK_IMPORTED_MODULE_4__ = __nccwpck_require__(9547);
/* harmony import */ var _scalingo_regions_js__WEBPACK_IMPORTED_MODULE_5__ = __nccwpck_require__(6487);






/**
 * The ways a run can end outside the pipeline: cancellation (the runner
 * sends SIGINT, then SIGTERM, then kills) and anything unexpected (a
 * rejection nobody awaited, a throw in a callback). Either way: one clean
 * error line, the outputs and the summary, exit 1, quickly. This reads the
 * report and decides nothing else.
 */
/** What a cancellation leaves behind, from where the run was. */
function cancellationMessage(signal, report) {
    const follow = (0,_scalingo_regions_js__WEBPACK_IMPORTED_MODULE_5__/* .followCommand */ .te)(report.region, report.app);
    switch (report.stage) {
        case 'created':
            return `cancelled (${signal}): deployment ${report.deploymentId} is still ${report.status ?? 'running'} on Scalingo and was not stopped; follow it with: ${follow}`;
        case 'creating':
            return `cancelled (${signal}) while creating the deployment: it may have been created; check the app's deployments (${follow})`;
        default:
            return `cancelled (${signal}) before any deployment was created`;
    }
}
/** What an unexpected failure leaves behind. */
function unexpectedMessage(err, report) {
    const created = report.stage === 'created' ? `; deployment ${report.deploymentId} was created and keeps running` : '';
    return `unexpected error: ${(0,_lib_errors_js__WEBPACK_IMPORTED_MODULE_2__/* .describeError */ .Uc)(err)}${created}`;
}
/** What is left to do before exiting takes at most this long: the runner kills 10 s after its first signal. */
const LAST_WORDS_MS = 3_000;
/** Ends the run with `message`: one error line, what is left to do (bounded), outputs, summary, exit 1. */
function endRun(message, report, env, beforeExit, ending) {
    report.error = message;
    _actions_core__WEBPACK_IMPORTED_MODULE_0__/* .setFailed */ .C1((0,_lib_text_js__WEBPACK_IMPORTED_MODULE_3__/* .inert */ .tJ)(message));
    const lastWords = async () => {
        try {
            await (0,_lib_clock_js__WEBPACK_IMPORTED_MODULE_1__/* .beforeDeadline */ .OJ)(Promise.resolve(beforeExit()), _lib_clock_js__WEBPACK_IMPORTED_MODULE_1__/* .systemClock */ .ml.now() + LAST_WORDS_MS, _lib_clock_js__WEBPACK_IMPORTED_MODULE_1__/* .systemClock */ .ml, () => undefined);
        }
        catch {
            // the exit matters more than what could not be said
        }
        await (ending.finish ? ending.finish() : (0,_finish_js__WEBPACK_IMPORTED_MODULE_4__/* .finishRun */ .J)(report, env));
    };
    void lastWords().finally(() => ending.exit(1));
}
/** Watches for the first cancellation or unexpected failure; returns a function that stops watching. */
function guardRun(report, env, beforeExit, ending = { exit: code => process.exit(code) }) {
    let fired = false;
    const once = (message) => (...args) => {
        if (fired)
            return;
        fired = true;
        endRun(message(...args), report, env, beforeExit, ending);
    };
    const onSignal = once((signal) => cancellationMessage(signal, report));
    const onUnexpected = once((err) => unexpectedMessage(err, report));
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    process.on('unhandledRejection', onUnexpected);
    process.on('uncaughtException', onUnexpected);
    return () => {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
        process.off('unhandledRejection', onUnexpected);
        process.off('uncaughtException', onUnexpected);
    };
}


/***/ }),

/***/ 7994:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   Sy: () => (/* binding */ writeSummary),
/* harmony export */   Wo: () => (/* binding */ tailBlock),
/* harmony export */   eH: () => (/* binding */ summaryMarkdown),
/* harmony export */   j7: () => (/* binding */ writeJobSummary),
/* harmony export */   jb: () => (/* binding */ summaryTable)
/* harmony export */ });
/* unused harmony export TAIL_LINE_CHARS */
/* harmony import */ var _actions_core__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(2313);
/* harmony import */ var _lib_log_js__WEBPACK_IMPORTED_MODULE_1__ = __nccwpck_require__(1025);
/* harmony import */ var _lib_clock_js__WEBPACK_IMPORTED_MODULE_2__ = __nccwpck_require__(4517);
/* harmony import */ var _lib_errors_js__WEBPACK_IMPORTED_MODULE_3__ = __nccwpck_require__(7268);
/* harmony import */ var _lib_markdown_js__WEBPACK_IMPORTED_MODULE_4__ = __nccwpck_require__(3862);
/* harmony import */ var _lib_secrets_js__WEBPACK_IMPORTED_MODULE_5__ = __nccwpck_require__(5714);
/* harmony import */ var _lib_text_js__WEBPACK_IMPORTED_MODULE_6__ = __nccwpck_require__(9112);
/* harmony import */ var _scalingo_statuses_js__WEBPACK_IMPORTED_MODULE_7__ = __nccwpck_require__(7178);








/** The job summary: Markdown built from the report, written on success and on failure. */
/** The longest build-log line shown in the summary: 30 of them stay under 16 kB. */
const TAIL_LINE_CHARS = 500;
function headline(r) {
    if (r.skipped)
        return '⏭️ Scalingo deployment skipped: already live';
    if (r.plan)
        return '🧪 Scalingo deployment dry run: everything checked, nothing created';
    if (r.error && !r.status)
        return '❌ Scalingo deployment failed';
    // A status is shown as is when it looks like one (build-error), else as code.
    const status = (0,_lib_text_js__WEBPACK_IMPORTED_MODULE_6__/* .looksLikeStatus */ .uL)(r.status ?? 'failed') ? (r.status ?? 'failed') : (0,_lib_markdown_js__WEBPACK_IMPORTED_MODULE_4__/* .code */ .aY)(r.status ?? '', 60);
    if (r.timedOut)
        return `⏱️ Scalingo deployment still ${status} at the timeout`;
    if (!r.waited && r.status && !(0,_scalingo_statuses_js__WEBPACK_IMPORTED_MODULE_7__/* .isSuccess */ .oJ)(r.status))
        return `🚀 Scalingo deployment created (${status})`;
    if (r.status && (0,_scalingo_statuses_js__WEBPACK_IMPORTED_MODULE_7__/* .isSuccess */ .oJ)(r.status))
        return '✅ Scalingo deployment succeeded';
    return `❌ Scalingo deployment ${status}`;
}
function rows(r) {
    const rows = [];
    rows.push(['App', r.appUrl ? (0,_lib_markdown_js__WEBPACK_IMPORTED_MODULE_4__/* .link */ .nf)((0,_lib_markdown_js__WEBPACK_IMPORTED_MODULE_4__/* .cellCode */ .GA)(r.app), r.appUrl) : (0,_lib_markdown_js__WEBPACK_IMPORTED_MODULE_4__/* .cellCode */ .GA)(r.app)]);
    rows.push(['Region', (0,_lib_markdown_js__WEBPACK_IMPORTED_MODULE_4__/* .cellCode */ .GA)(r.region)]);
    if (r.repository)
        rows.push(['Repository', (0,_lib_markdown_js__WEBPACK_IMPORTED_MODULE_4__/* .cellCode */ .GA)(r.repository)]);
    if (r.ref || r.sha)
        rows.push(['Commit', `${r.ref && r.ref !== r.sha ? `${(0,_lib_markdown_js__WEBPACK_IMPORTED_MODULE_4__/* .cellCode */ .GA)(r.ref)} → ` : ''}${(0,_lib_markdown_js__WEBPACK_IMPORTED_MODULE_4__/* .cellCode */ .GA)(r.sha ?? '?')}`]);
    if (r.promotedFrom)
        rows.push(['Promoted from', (0,_lib_markdown_js__WEBPACK_IMPORTED_MODULE_4__/* .cellCode */ .GA)(r.promotedFrom)]);
    if (r.status) {
        const words = r.status === 'skipped' ? 'already live' : r.status === 'dry-run' ? 'nothing created' : (0,_scalingo_statuses_js__WEBPACK_IMPORTED_MODULE_7__/* .describeStatus */ .Wn)(r.status);
        // Our own words for a status we know; anything else came from outside.
        rows.push(['Status', `${(0,_lib_markdown_js__WEBPACK_IMPORTED_MODULE_4__/* .cellCode */ .GA)(r.status, 60)} — ${(0,_lib_text_js__WEBPACK_IMPORTED_MODULE_6__/* .looksLikeStatus */ .uL)(r.status) ? words : (0,_lib_markdown_js__WEBPACK_IMPORTED_MODULE_4__/* .cellCode */ .GA)(words)}`]);
    }
    if (r.durationSeconds !== undefined)
        rows.push(['Duration', (0,_lib_clock_js__WEBPACK_IMPORTED_MODULE_2__/* .formatDuration */ .a3)(r.durationSeconds * 1000)]);
    if (r.deploymentId)
        rows.push(['Deployment', (0,_lib_markdown_js__WEBPACK_IMPORTED_MODULE_4__/* .cellCode */ .GA)(r.deploymentId)]);
    if (r.archiveUrl)
        rows.push(['Archive', (0,_lib_markdown_js__WEBPACK_IMPORTED_MODULE_4__/* .cellCode */ .GA)(r.archiveUrl)]);
    if (r.transfer)
        rows.push(['Transfer', r.transfer]);
    if (r.variables)
        rows.push([`Variables (${r.variablesLabel ?? 'env-file'})`, (0,_lib_markdown_js__WEBPACK_IMPORTED_MODULE_4__/* .cellCode */ .GA)(r.variables)]);
    if (r.githubDeployment)
        rows.push(['GitHub deployment', (0,_lib_markdown_js__WEBPACK_IMPORTED_MODULE_4__/* .cellCode */ .GA)(r.githubDeployment)]);
    if (r.previousSha)
        rows.push(['Previous commit', (0,_lib_markdown_js__WEBPACK_IMPORTED_MODULE_4__/* .cellCode */ .GA)(r.previousSha)]);
    if (r.commitUrl) {
        const links = [
            (0,_lib_markdown_js__WEBPACK_IMPORTED_MODULE_4__/* .link */ .nf)('commit', r.commitUrl),
            r.compareUrl ? (0,_lib_markdown_js__WEBPACK_IMPORTED_MODULE_4__/* .link */ .nf)('changes since the previous commit', r.compareUrl) : ''
        ];
        rows.push(['Changes', links.filter(Boolean).join(' · ')]);
    }
    if (r.health)
        rows.push([
            'Health check',
            `${r.health === 'ok' ? '✅ ok' : '❌ failed'}${r.healthDetail ? ` — ${(0,_lib_markdown_js__WEBPACK_IMPORTED_MODULE_4__/* .cellCode */ .GA)(r.healthDetail)}` : ''}`
        ]);
    if (r.rollback)
        rows.push(['Rollback', `${r.rolledBack ? '↩️ ' : ''}${(0,_lib_markdown_js__WEBPACK_IMPORTED_MODULE_4__/* .cellCode */ .GA)(r.rollback)}`]);
    if (r.dashboardUrl)
        rows.push(['Dashboard', (0,_lib_markdown_js__WEBPACK_IMPORTED_MODULE_4__/* .link */ .nf)(r.dashboardUrl, r.dashboardUrl)]);
    return rows;
}
/** A summary's heading and its two-column table (values already made inert by `cellCode` or `link`). */
function summaryTable(heading, rows) {
    return `### ${heading}\n\n| | |\n|---|---|\n${rows.map(([k, v]) => `| ${k} | ${(0,_lib_markdown_js__WEBPACK_IMPORTED_MODULE_4__/* .cell */ .Hn)(v)} |`).join('\n')}\n`;
}
/** The last lines of a log (build output, a one-off's output), each bounded and without colours, in a fence. */
function tailBlock(tail, what) {
    if (!tail || tail.length === 0)
        return '';
    // Each line bounded, so the summary stays far under GitHub's 1 MiB limit whatever the log.
    const lines = tail.map(l => (0,_lib_text_js__WEBPACK_IMPORTED_MODULE_6__/* .cut */ .Jj)((0,_lib_text_js__WEBPACK_IMPORTED_MODULE_6__/* .stripAnsi */ .aJ)(l), TAIL_LINE_CHARS));
    return `\n<details open><summary>Last ${lines.length} lines of ${what}</summary>\n\n${(0,_lib_markdown_js__WEBPACK_IMPORTED_MODULE_4__/* .codeBlock */ .DV)(lines)}\n\n</details>\n`;
}
/** The job summary as Markdown (pure, so tests read it directly). Everything from outside is inert. */
function summaryMarkdown(r) {
    let md = summaryTable(headline(r), rows(r));
    if (r.archiveProblems?.length)
        md += `\n**GitHub archive:**\n\n${r.archiveProblems.map(p => `- ${(0,_lib_markdown_js__WEBPACK_IMPORTED_MODULE_4__/* .code */ .aY)(p)}`).join('\n')}\n`;
    if (r.skipped)
        md += `\n**Skipped:** ${(0,_lib_markdown_js__WEBPACK_IMPORTED_MODULE_4__/* .code */ .aY)(r.skipped)}\n`;
    if (r.plan)
        md += `\n**Plan:**\n\n${r.plan.map(l => `- ${(0,_lib_markdown_js__WEBPACK_IMPORTED_MODULE_4__/* .code */ .aY)(l)}`).join('\n')}\n`;
    if (r.error)
        md += `\n**Error:** ${(0,_lib_markdown_js__WEBPACK_IMPORTED_MODULE_4__/* .code */ .aY)(r.error)}\n`;
    if (!r.waited && r.deploymentId && !r.error)
        md += `\nNot waited for (\`wait: false\`): follow it on the dashboard.\n`;
    md += tailBlock(r.logTail, 'the build output');
    return (0,_lib_secrets_js__WEBPACK_IMPORTED_MODULE_5__/* .scrub */ ._I)(md);
}
/** A job summary, written on success and on failure; skipped (not failed) outside a runner. */
async function writeJobSummary(markdown, env) {
    if (!env.GITHUB_STEP_SUMMARY)
        return;
    try {
        await _actions_core__WEBPACK_IMPORTED_MODULE_0__/* .summary */ .z.addRaw(markdown).write();
    }
    catch (err) {
        _lib_log_js__WEBPACK_IMPORTED_MODULE_1__/* .warning */ .$e(`Could not write the job summary: ${(0,_lib_errors_js__WEBPACK_IMPORTED_MODULE_3__/* .describeError */ .Uc)(err)}`);
    }
}
/** The deploy action's job summary. */
function writeSummary(r, env) {
    return writeJobSummary(summaryMarkdown(r), env);
}


/***/ }),

/***/ 6979:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {


// EXPORTS
__nccwpck_require__.d(__webpack_exports__, {
  wH: () => (/* binding */ attachUrlProblem),
  jf: () => (/* binding */ openTerminal),
  zE: () => (/* binding */ waitForExit)
});

// UNUSED EXPORTS: attachAuthorization

;// CONCATENATED MODULE: external "node:http"
const external_node_http_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:http");
;// CONCATENATED MODULE: external "node:https"
const external_node_https_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:https");
// EXTERNAL MODULE: ./src/lib/errors.ts
var errors = __nccwpck_require__(7268);
// EXTERNAL MODULE: ./src/lib/secrets.ts
var secrets = __nccwpck_require__(5714);
// EXTERNAL MODULE: ./src/lib/urls.ts
var urls = __nccwpck_require__(1281);
;// CONCATENATED MODULE: ./src/scalingo/attach.ts





/**
 * The one-off's terminal, as Scalingo's CLI reaches it (`apps/run.go`):
 * `CONNECT <path>` to the attach URL's host with `Authorization: Basic
 * base64(":" + bearer)`; a 200 (the CLI's helper also takes 202) turns the
 * connection into the raw terminal. `GET <attach_url>/wait` says how the
 * command ended.
 */
/**
 * Why the bearer may not go to this attach URL, or undefined when it may:
 * https (plain http only to a loopback host, for tests), no `user:pass@`,
 * on the API's host or a host under `scalingo.com`.
 */
function attachUrlProblem(url, apiUrl) {
    return (0,urls/* bearerUrlProblem */.cL)(url, apiUrl, { scheme: 'https', underScalingo: true });
}
/** The Basic credentials of the run service: an empty user, the bearer as password (masked). */
function attachAuthorization(bearer) {
    const basic = Buffer.from(`:${bearer}`).toString('base64');
    (0,secrets/* registerSecret */.cl)(basic);
    return `Basic ${basic}`;
}
/** A CONNECT answered with anything but 200 or 202. */
function refusal(attachUrl, res) {
    return new errors/* HttpError */.j$({
        status: res.statusCode ?? 0,
        method: 'CONNECT',
        url: (0,urls/* safeUrl */.Pl)(attachUrl),
        serverMessage: res.statusMessage || '(no message)',
        headers: res.headers
    });
}
/** Opens the terminal: one CONNECT, no retry (the caller decides); a refusal is an HttpError with its status. */
function openTerminal(attachUrl, bearer, userAgent, timeoutMs) {
    const u = new URL(attachUrl);
    const tls = u.protocol === 'https:';
    return new Promise((resolve, reject) => {
        let settled = false;
        const settle = (f) => {
            if (settled)
                return;
            settled = true;
            f();
        };
        const req = (tls ? external_node_https_namespaceObject.request : external_node_http_namespaceObject.request)({
            method: 'CONNECT',
            host: u.hostname.replace(/^\[|\]$/g, ''),
            port: u.port || (tls ? 443 : 80),
            // As the CLI's http.NewRequest + req.Write: the path on the request line, the host in Host.
            path: u.pathname || '/',
            servername: tls ? u.hostname : undefined,
            agent: false,
            headers: { Host: u.host, Authorization: attachAuthorization(bearer), 'User-Agent': userAgent }
        });
        req.setTimeout(timeoutMs, () => req.destroy(new Error('timeout')));
        req.on('connect', (res, socket, head) => {
            const ok = res.statusCode === 200 || res.statusCode === 202;
            if (!ok || settled)
                socket.destroy();
            if (ok)
                req.setTimeout(0);
            settle(() => (ok ? resolve({ socket, head }) : reject(refusal(attachUrl, res))));
        });
        req.on('response', res => {
            res.resume();
            settle(() => reject(refusal(attachUrl, res)));
        });
        req.on('error', err => settle(() => reject((0,errors/* networkError */.x6)(err, 'CONNECT', attachUrl))));
        req.end();
    });
}
/**
 * `GET <attach_url>/wait` → `{"exit_code": N}`; 408: Scalingo stopped the
 * one-off for inactivity. It answers once the command has ended. `until`
 * may lie past the run's deadline (the few seconds after a Ctrl-C).
 */
async function waitForExit(http, attachUrl, bearer, until) {
    const url = `${attachUrl.split(/[?#]/)[0].replace(/\/+$/, '')}/wait`;
    const res = await http.request({
        method: 'GET',
        url,
        headers: { Authorization: attachAuthorization(bearer) },
        retry: 'idempotent',
        accept: [408],
        deadline: until,
        graceMs: Math.max(0, until - (http.deadline ?? until)),
        maxBodyBytes: 64 * 1024
    });
    if (res.status === 408)
        return { inactive: true };
    let code;
    try {
        code = JSON.parse(res.body).exit_code;
    }
    catch {
        code = undefined;
    }
    if (typeof code !== 'number' || !Number.isInteger(code))
        throw new errors/* NetworkError */.Dr({ method: 'GET', url: (0,urls/* safeUrl */.Pl)(url), cause: 'the answer holds no exit code', unsent: false });
    return { exitCode: code };
}


/***/ }),

/***/ 8211:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   GK: () => (/* binding */ ScalingoClient),
/* harmony export */   Sz: () => (/* binding */ MalformedAnswerError),
/* harmony export */   Xy: () => (/* binding */ VARIABLE_EVENTS),
/* harmony export */   rB: () => (/* binding */ hasNextPage)
/* harmony export */ });
/* unused harmony exports jwtExpiry, operationIdOf, readDeployment */
/* harmony import */ var _lib_clock_js__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(4517);
/* harmony import */ var _lib_errors_js__WEBPACK_IMPORTED_MODULE_1__ = __nccwpck_require__(7268);
/* harmony import */ var _lib_http_js__WEBPACK_IMPORTED_MODULE_2__ = __nccwpck_require__(1931);
/* harmony import */ var _lib_secrets_js__WEBPACK_IMPORTED_MODULE_3__ = __nccwpck_require__(5714);
/* harmony import */ var _lib_text_js__WEBPACK_IMPORTED_MODULE_4__ = __nccwpck_require__(9112);
/* harmony import */ var _lib_urls_js__WEBPACK_IMPORTED_MODULE_5__ = __nccwpck_require__(1281);






const MAIN_INPUTS = { app: 'app', region: 'region', token: 'api-token' };
/** Exchange again when fewer than 5 minutes are left, as go-scalingo does. */
const REFRESH_MARGIN_MS = 5 * 60 * 1000;
/** The `exp` claim of a JWT in ms, or undefined when it has none we can read. */
function jwtExpiry(token) {
    const part = token.split('.')[1];
    if (!part)
        return undefined;
    try {
        const claims = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
        return typeof claims.exp === 'number' ? claims.exp * 1000 : undefined;
    }
    catch {
        return undefined;
    }
}
/** The event types that change a variable (go-scalingo events_structs.go). */
const VARIABLE_EVENTS = ['new_variable', 'edit_variable', 'edit_variables', 'delete_variable'];
/** The names an event's `type_data` mentions (single or bulk form); values are left where they are. */
function variableNamesOf(type, data) {
    if (!VARIABLE_EVENTS.includes(type) || !data || typeof data !== 'object')
        return [];
    const d = data;
    const named = (v) => v && typeof v === 'object' && typeof v.name === 'string'
        ? [v.name]
        : [];
    if (type !== 'edit_variables')
        return named(d);
    return ['new_vars', 'updated_vars', 'deleted_vars'].flatMap(k => (Array.isArray(d[k]) ? d[k].flatMap(named) : []));
}
/**
 * Whether a list has a page after `page`: its `meta.pagination.next_page`
 * says; without pagination metadata, a full page may have a next one; an
 * empty page never does.
 */
function hasNextPage(meta, page, count, perPage) {
    if (count === 0)
        return false;
    const pagination = meta?.pagination;
    if (!pagination)
        return count >= perPage;
    return typeof pagination.next_page === 'number' && pagination.next_page > page;
}
/** An operation id as it may go in a path of ours: the bearer never follows a URL from an answer. */
const OPERATION_ID = /^[A-Za-z0-9_-]{1,100}$/;
/** The operation id of a run answer: from `operation_url` (as the CLI since 1.44.1), else `operation`, else `Location`. */
function operationIdOf(body, location) {
    const last = (url) => {
        if (typeof url !== 'string')
            return undefined;
        const path = url.split(/[?#]/)[0].replace(/\/+$/, '');
        return path.slice(path.lastIndexOf('/') + 1);
    };
    for (const candidate of [last(body.operation_url), body.operation, last(location)]) {
        if (typeof candidate === 'string' && OPERATION_ID.test(candidate))
            return candidate;
    }
    return undefined;
}
/** A 2xx answer we cannot read: for the POST, it may still have created the deployment. */
class MalformedAnswerError extends _lib_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .ActionError */ .lZ {
    constructor(message) {
        super(message);
        this.name = 'MalformedAnswerError';
    }
}
/** Checks a `{"deployment": {...}}` answer has what we rely on. */
function readDeployment(data, what) {
    const d = data?.deployment;
    if (!d || typeof d !== 'object' || typeof d.id !== 'string' || typeof d.status !== 'string') {
        throw new MalformedAnswerError(`Scalingo answered ${what} without a deployment (no "deployment" object with an id and a status)`);
    }
    return { ...d, status: (0,_lib_text_js__WEBPACK_IMPORTED_MODULE_4__/* .statusLabel */ .Rh)(d.status) };
}
class ScalingoClient {
    http;
    config;
    /** The bearer and its expiry: shared with the clients `forApp` makes (same token, same account). */
    session = {};
    clock;
    exchanges = 0;
    constructor(http, config) {
        this.http = http;
        this.config = config;
        this.clock = config.clock ?? _lib_clock_js__WEBPACK_IMPORTED_MODULE_0__/* .systemClock */ .ml;
    }
    appPath(suffix = '') {
        return `${this.config.apiUrl}/v1/apps/${encodeURIComponent(this.config.app)}${suffix}`;
    }
    /**
     * A client for another app of the same account (a review app of its
     * parent), with this client's bearer: one exchange per run.
     */
    forApp(app, inputs) {
        const other = new ScalingoClient(this.http, { ...this.config, app, inputs: inputs ?? this.config.inputs });
        other.session = this.session;
        return other;
    }
    /**
     * Any other endpoint of the API (`path` from `/v1/`), with the bearer:
     * the child apps and addons calls of `childapps.ts`. Errors are left as
     * they are: the caller knows what a 404 or a 422 means there.
     */
    async api(method, path, opts) {
        const url = `${this.config.apiUrl}${path}`;
        const response = await this.call({ method, url, json: opts.json, retry: opts.retry });
        if (response.status === 204 || response.body.length === 0)
            return { status: response.status, data: {} };
        return { status: response.status, data: (0,_lib_http_js__WEBPACK_IMPORTED_MODULE_2__/* .parseJson */ .qF)(response, { method, url }) };
    }
    /** Basic auth with an empty user and the API token as password. */
    async exchange() {
        const basic = Buffer.from(`:${this.config.apiToken}`).toString('base64');
        (0,_lib_secrets_js__WEBPACK_IMPORTED_MODULE_3__/* .registerSecret */ .cl)(basic);
        this.exchanges++;
        let token;
        try {
            const { data } = await this.http.json({
                method: 'POST',
                url: `${this.config.authUrl}/v1/tokens/exchange`,
                headers: { Authorization: `Basic ${basic}` },
                retry: 'idempotent'
            });
            token = data?.token;
        }
        catch (err) {
            if (err instanceof _lib_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .HttpError */ .j$ && err.status === 401) {
                throw new _lib_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .ActionError */ .lZ(`the Scalingo API token was refused (401: ${err.serverMessage})`, `check the ${(this.config.inputs ?? MAIN_INPUTS).token} secret: it must be a valid, unexpired API token of the account that owns the app`);
            }
            throw err;
        }
        if (typeof token !== 'string' || token === '') {
            throw new _lib_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .ActionError */ .lZ('the Scalingo token exchange answered without a token');
        }
        (0,_lib_secrets_js__WEBPACK_IMPORTED_MODULE_3__/* .registerSecret */ .cl)(token);
        this.session.token = token;
        this.session.expiry = jwtExpiry(token);
        return token;
    }
    /** The bearer, exchanged again when it is about to expire. */
    async bearer() {
        if (!this.session.token ||
            (this.session.expiry !== undefined && this.session.expiry - this.clock.now() < REFRESH_MARGIN_MS)) {
            return this.exchange();
        }
        return this.session.token;
    }
    /**
     * Sends with the bearer; a 401 means it expired: exchange again once and
     * send again. The one place that decides about a refused bearer.
     */
    async withBearer(what, send, refused = () => false) {
        const first = await this.tryBearer(send);
        if (!first.unauthorized && !refused(first.result))
            return first.result;
        this.session.token = undefined;
        const again = await this.tryBearer(send);
        if (again.unauthorized || refused(again.result)) {
            throw new _lib_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .ActionError */ .lZ(`Scalingo refused the bearer token for ${what} (401${again.message ? `: ${again.message}` : ''})`, 'the API token may have been revoked during the run');
        }
        return again.result;
    }
    async tryBearer(send) {
        try {
            return { result: await send(await this.bearer()), unauthorized: false };
        }
        catch (err) {
            if (err instanceof _lib_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .HttpError */ .j$ && err.status === 401)
                return { unauthorized: true, message: err.serverMessage };
            throw err;
        }
    }
    call(opts) {
        return this.withBearer(`${opts.method} ${(0,_lib_urls_js__WEBPACK_IMPORTED_MODULE_5__/* .safeUrl */ .Pl)(opts.url)}`, bearer => this.http.request({ ...opts, headers: { ...opts.headers, Authorization: `Bearer ${bearer}` } }));
    }
    /** A call whose 2xx answer is JSON, parsed (never quoted when it is not). */
    async callJson(opts) {
        return (0,_lib_http_js__WEBPACK_IMPORTED_MODULE_2__/* .parseJson */ .qF)(await this.call(opts), opts);
    }
    /** Scalingo's refusal as a sentence about our app; other errors as they are. */
    toActionError(err) {
        if (!(err instanceof _lib_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .HttpError */ .j$))
            return err;
        const { app, region } = this.config;
        const inputs = this.config.inputs ?? MAIN_INPUTS;
        const rid = err.requestId ? `, request id ${err.requestId}` : '';
        switch (err.status) {
            case 404:
                return new _lib_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .ActionError */ .lZ(`app "${app}" was not found in region ${region} (404: ${err.serverMessage}${rid})`, `check ${inputs.app} and ${inputs.region}; the app may live in another region, or the account of ${inputs.token} has no access to it`);
            case 402:
                return new _lib_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .ActionError */ .lZ(`Scalingo refused: payment required for app "${app}" (402: ${err.serverMessage}${rid})`, 'check the billing of the account that owns the app');
            case 403:
                return new _lib_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .ActionError */ .lZ(`Scalingo refused access to app "${app}" (403: ${err.serverMessage}${rid})`, `the account of ${inputs.token} needs the right to deploy this app`);
            case 422:
                return new _lib_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .ActionError */ .lZ(`Scalingo rejected the deployment for app "${app}" (422: ${err.serverMessage}${rid})`);
            default:
                return err;
        }
    }
    async getApp() {
        const url = this.appPath();
        try {
            const { app } = await this.callJson({ method: 'GET', url, retry: 'idempotent' });
            if (!app || typeof app !== 'object')
                throw new _lib_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .ActionError */ .lZ(`Scalingo answered GET app without an "app" object`);
            return app;
        }
        catch (err) {
            throw this.toActionError(err);
        }
    }
    /** The one non-idempotent call: retried only when certainly unsent or refused with 429. */
    async createDeployment(gitRef, sourceUrl) {
        const url = this.appPath('/deployments');
        try {
            const data = await this.callJson({
                method: 'POST',
                url,
                json: { deployment: { git_ref: gitRef, source_url: sourceUrl } },
                retry: 'unsent-only'
            });
            return readDeployment(data, 'the deployment creation');
        }
        catch (err) {
            throw this.toActionError(err);
        }
    }
    /** One deployment of the app; `graceMs` lets the last look at the timeout run a little past it. */
    async getDeployment(id, opts = {}) {
        const url = this.appPath(`/deployments/${encodeURIComponent(id)}`);
        const data = await this.callJson({ method: 'GET', url, retry: 'idempotent', graceMs: opts.graceMs });
        const deployment = readDeployment(data, `GET deployment ${id}`);
        if (deployment.id !== id) {
            throw new MalformedAnswerError(`Scalingo answered GET deployment ${id} with another deployment (${JSON.stringify(deployment.id.slice(0, 40))})`);
        }
        return deployment;
    }
    /** `aliases: true` asks for values as stored (an alias stays `$OTHER`), as go-scalingo's VariablesList. */
    async listVariables(opts = {}) {
        const url = this.appPath(opts.aliases === undefined ? '/variables' : `/variables?aliases=${opts.aliases}`);
        try {
            const list = (await this.callJson({ method: 'GET', url, retry: 'idempotent' })).variables;
            if (!Array.isArray(list))
                throw new _lib_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .ActionError */ .lZ('Scalingo answered the variables list without a "variables" array');
            return list
                .filter((v) => !!v && typeof v.name === 'string')
                .map(v => ({
                name: v.name,
                value: typeof v.value === 'string' ? v.value : v.value == null ? '' : JSON.stringify(v.value),
                id: typeof v.id === 'string' ? v.id : undefined
            }));
        }
        catch (err) {
            throw this.toActionError(err);
        }
    }
    /** Bulk create-or-update (PUT is idempotent: retried like a GET). Variables not named are left alone. `from`: the inputs they came from, for the message. */
    async setVariables(variables, from = 'variables') {
        const url = this.appPath('/variables');
        try {
            await this.call({ method: 'PUT', url, json: { variables }, retry: 'idempotent' });
        }
        catch (err) {
            if (err instanceof _lib_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .HttpError */ .j$ && err.status === 422) {
                throw new _lib_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .ActionError */ .lZ(`Scalingo rejected the variables (from ${from}) for app "${this.config.app}" (422: ${err.serverMessage})`);
            }
            throw this.toActionError(err);
        }
    }
    /** `DELETE …/variables/{id}`; a variable already gone (404) is fine. */
    async unsetVariable(id) {
        const url = this.appPath(`/variables/${encodeURIComponent(id)}`);
        try {
            await this.call({ method: 'DELETE', url, retry: 'idempotent' });
        }
        catch (err) {
            if (err instanceof _lib_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .HttpError */ .j$ && err.status === 404)
                return;
            throw this.toActionError(err);
        }
    }
    /**
     * One page of the app's events (`GET …/events`), each reduced to its
     * type, time and variable names on the spot: the answer holds variable
     * values. `more`: whether a next page exists.
     */
    async listEvents(page, perPage) {
        const url = this.appPath(`/events?page=${page}&per_page=${perPage}`);
        const data = await this.callJson({
            method: 'GET',
            url,
            retry: 'idempotent'
        });
        if (!Array.isArray(data.events))
            throw new MalformedAnswerError('Scalingo answered the events list without an "events" array');
        const events = data.events
            .filter(e => !!e && typeof e.type === 'string' && typeof e.created_at === 'string')
            .map(e => ({
            type: e.type,
            createdAt: e.created_at,
            variableNames: variableNamesOf(e.type, e.type_data)
        }));
        return { events, more: hasNextPage(data.meta, page, data.events.length, perPage) };
    }
    /**
     * `POST …/run`: starts a one-off. Never sent twice once it may have
     * reached Scalingo (a command must not run twice): retried only when
     * certainly unsent or refused with 429, and after a 401 (refused unread).
     */
    async startOneOff(request) {
        const url = this.appPath('/run');
        const json = { command: request.command, env: request.env, detached: request.detached };
        if (request.size)
            json.size = request.size;
        let response;
        try {
            response = await this.call({ method: 'POST', url, json, retry: 'unsent-only' });
        }
        catch (err) {
            if (err instanceof _lib_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .HttpError */ .j$ && err.status === 422)
                throw new _lib_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .ActionError */ .lZ(`Scalingo refused to start the one-off on app "${this.config.app}" (422: ${err.serverMessage})`);
            throw this.toActionError(err);
        }
        const data = (0,_lib_http_js__WEBPACK_IMPORTED_MODULE_2__/* .parseJson */ .qF)(response, { method: 'POST', url });
        const c = data.container && typeof data.container === 'object' ? data.container : {};
        const index = typeof c.type_index === 'number' ? c.type_index : undefined;
        const label = typeof c.label === 'string' && /^[A-Za-z0-9_.-]{1,100}$/.test(c.label)
            ? c.label
            : index !== undefined
                ? `one-off-${index}`
                : '';
        return {
            containerId: typeof c.id === 'string' ? c.id : undefined,
            label,
            operationId: operationIdOf(data, (0,_lib_http_js__WEBPACK_IMPORTED_MODULE_2__/* .headerValue */ .Z)(response.headers.location))
        };
    }
    /** An operation of the app, on the API's own origin. */
    async getOperation(id) {
        const url = this.appPath(`/operations/${encodeURIComponent(id)}`);
        const data = await this.callJson({
            method: 'GET',
            url,
            retry: 'idempotent'
        });
        const o = data.operation;
        if (!o || typeof o !== 'object' || typeof o.status !== 'string')
            throw new MalformedAnswerError(`Scalingo answered GET operation ${id} without an operation status`);
        const started = o.start_one_off_data;
        return {
            status: (0,_lib_text_js__WEBPACK_IMPORTED_MODULE_4__/* .statusLabel */ .Rh)(o.status),
            error: typeof o.error === 'string' ? o.error : undefined,
            attachUrl: typeof started?.attach_url === 'string' ? started.attach_url : undefined
        };
    }
    /** A signed upload/download pair from the sources API (both secrets, valid ~10 minutes). */
    async createSource() {
        const url = `${this.config.apiUrl}/v1/sources`;
        const { source: src } = await this.callJson({
            method: 'POST',
            url,
            retry: 'unsent-only'
        });
        if (!src || typeof src.upload_url !== 'string' || typeof src.download_url !== 'string') {
            throw new MalformedAnswerError('Scalingo answered the sources request without upload_url and download_url');
        }
        (0,_lib_secrets_js__WEBPACK_IMPORTED_MODULE_3__/* .registerSecretUrl */ .l2)(src.upload_url);
        (0,_lib_secrets_js__WEBPACK_IMPORTED_MODULE_3__/* .registerSecretUrl */ .l2)(src.download_url);
        for (const [name, url] of [
            ['upload_url', src.upload_url],
            ['download_url', src.download_url]
        ]) {
            const problem = (0,_lib_urls_js__WEBPACK_IMPORTED_MODULE_5__/* .answerUrlProblem */ .Hc)(url);
            if (problem)
                throw new _lib_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .ActionError */ .lZ(`Scalingo's sources API answered an ${name} that cannot be used: ${problem}; nothing was uploaded`);
        }
        return { uploadUrl: src.upload_url, downloadUrl: src.download_url };
    }
    /** The app's most recent deployments, newest first by `created_at` (the answer's order is not trusted). */
    async listDeployments(perPage = 10, opts = {}) {
        const url = this.appPath(`/deployments?page=1&per_page=${perPage}`);
        const { deployments: list } = await this.callJson({
            method: 'GET',
            url,
            retry: 'idempotent',
            graceMs: opts.graceMs
        });
        if (!Array.isArray(list))
            throw new _lib_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .ActionError */ .lZ('Scalingo answered the deployment list without a "deployments" array');
        const time = (d) => (d.created_at ? Date.parse(d.created_at) : NaN) || 0;
        return list
            .filter((d) => !!d && typeof d.id === 'string' && typeof d.status === 'string')
            .map(d => ({ ...d, status: (0,_lib_text_js__WEBPACK_IMPORTED_MODULE_4__/* .statusLabel */ .Rh)(d.status) }))
            .sort((a, b) => time(b) - time(a));
    }
    /**
     * The build output so far (the whole log: Scalingo documents no offset),
     * as a stream the caller reads; undefined when there is none yet (404).
     * The bearer goes only to the API's own origin: a link elsewhere is read
     * without it, or not at all. One attempt: the caller polls again.
     */
    async openOutput(outputUrl) {
        if (!(0,_lib_urls_js__WEBPACK_IMPORTED_MODULE_5__/* .sameOrigin */ .Nm)(outputUrl, this.config.apiUrl)) {
            throw new _lib_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .ActionError */ .lZ(`the deployment's output link ${(0,_lib_urls_js__WEBPACK_IMPORTED_MODULE_5__/* .safeUrl */ .Pl)(outputUrl)} is not on the API's origin (${this.config.apiUrl}): not sending the bearer token there`);
        }
        const msg = await this.withBearer(`GET ${(0,_lib_urls_js__WEBPACK_IMPORTED_MODULE_5__/* .safeUrl */ .Pl)(outputUrl)}`, bearer => this.http.raw({
            method: 'GET',
            url: outputUrl,
            headers: { Accept: 'text/plain, */*', Authorization: `Bearer ${bearer}` }
        }), res => {
            if (res.statusCode !== 401)
                return false;
            res.resume();
            return true;
        });
        const status = msg.statusCode ?? 0;
        if (status >= 200 && status < 300)
            return msg;
        let body = '';
        for await (const c of msg)
            if (body.length < 4096)
                body += String(c);
        if (status === 404)
            return undefined;
        throw (0,_lib_http_js__WEBPACK_IMPORTED_MODULE_2__/* .httpError */ .p2)(status, 'GET', outputUrl, body, msg.headers);
    }
}


/***/ }),

/***/ 6487:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   Kk: () => (/* binding */ isKnownRegion),
/* harmony export */   Oi: () => (/* binding */ regionApiUrl),
/* harmony export */   Qu: () => (/* binding */ KNOWN_REGIONS),
/* harmony export */   aU: () => (/* binding */ dashboardUrl),
/* harmony export */   ak: () => (/* binding */ oneOffLogsCommand),
/* harmony export */   jc: () => (/* binding */ DEFAULT_AUTH_URL),
/* harmony export */   t9: () => (/* binding */ DEFAULT_REGION),
/* harmony export */   te: () => (/* binding */ followCommand)
/* harmony export */ });
/** Scalingo's regions as the action knows them, and the links built from a region and an app. */
const KNOWN_REGIONS = ['osc-fr1', 'osc-secnum-fr1'];
const DEFAULT_REGION = KNOWN_REGIONS[0];
const DEFAULT_AUTH_URL = 'https://auth.scalingo.com';
function isKnownRegion(region) {
    return KNOWN_REGIONS.includes(region);
}
/** The regional API of a known region. */
function regionApiUrl(region) {
    return `https://api.${region}.scalingo.com`;
}
/** The app's page in Scalingo's dashboard, as the CLI's `scalingo dashboard` opens it. */
function dashboardUrl(region, app) {
    return `https://dashboard.scalingo.com/apps/${encodeURIComponent(region)}/${encodeURIComponent(app)}`;
}
/** The command that follows a deployment from a terminal. */
/** Where a one-off's output goes: the app's logs, filtered on its label. */
function oneOffLogsCommand(region, app, label) {
    return `scalingo --region ${region} --app ${app} logs --filter ${label || 'one-off'}`;
}
function followCommand(region, app) {
    return `scalingo --region ${region} --app ${app} deployment-follow`;
}


/***/ }),

/***/ 7178:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   WN: () => (/* binding */ hasFailed),
/* harmony export */   W_: () => (/* binding */ isRunning),
/* harmony export */   Wn: () => (/* binding */ describeStatus),
/* harmony export */   o6: () => (/* binding */ statusHint),
/* harmony export */   oJ: () => (/* binding */ isSuccess)
/* harmony export */ });
/* unused harmony exports RUNNING_STATUSES, isFinished */
/**
 * Scalingo's deployment statuses, mirroring go-scalingo: a deployment is
 * finished when it is none of queued/building/pushing/starting, and failed
 * when finished and not `success`. Unknown statuses count as failed.
 */
const RUNNING_STATUSES = ['queued', 'building', 'pushing', 'starting'];
const MEANING = {
    queued: 'waiting for a deployment slot',
    building: 'the buildpack is building the app',
    pushing: 'the image is being pushed to the registry',
    starting: 'the new containers are starting',
    success: 'the new version is running',
    'build-error': 'the build failed',
    'crashed-error': 'the app crashed at boot',
    'timeout-error': 'the app did not listen on $PORT in time (60 s)',
    'hook-error': 'the postdeploy hook failed; the previous version keeps running',
    aborted: 'the deployment was aborted (cancelled, or Scalingo lost the connection)'
};
function isRunning(status) {
    return RUNNING_STATUSES.includes(status);
}
function isFinished(status) {
    return !isRunning(status);
}
function isSuccess(status) {
    return status === 'success';
}
function hasFailed(status) {
    return isFinished(status) && !isSuccess(status);
}
/** Plain words for a status; unknown statuses say so rather than guess. */
function describeStatus(status) {
    return MEANING[status] ?? `unknown status ${status.startsWith('"') ? status : `"${status}"`}, treated as a failure`;
}
/** What to check first, by status: printed with a failure. */
function statusHint(status) {
    switch (status) {
        case 'build-error':
            return 'read the end of the build output above: a buildpack or dependency step failed';
        case 'crashed-error':
            return 'the app exited at boot: check the Procfile command and the app logs (scalingo logs)';
        case 'timeout-error':
            return 'the web process must listen on $PORT within 60 s of starting';
        case 'hook-error':
            return 'read the output of the postdeploy command (Procfile) above; fix it, or run it by hand with scalingo run';
        case 'aborted':
            return 'the deployment was cancelled or interrupted; run the workflow again';
        default:
            return undefined;
    }
}


/***/ }),

/***/ 6443:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   fu: () => (/* binding */ parseVariableLines),
/* harmony export */   mc: () => (/* binding */ mergeVariables),
/* harmony export */   qd: () => (/* binding */ parseDotenv),
/* harmony export */   x3: () => (/* binding */ variableValues)
/* harmony export */ });
/* unused harmony export MAX_EXPANDED_BYTES */
/* harmony import */ var _lib_errors_js__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(7268);

const EXPORT = 'export';
/** Name → value, in the order first set, as the list the API takes. */
function asVariables(values) {
    return [...values.entries()].map(([name, value]) => ({ name, value }));
}
/** godotenv's isSpace: a space but not a line break. */
function isSpace(c) {
    return c === '\t' || c === '\v' || c === '\f' || c === '\r' || c === ' ' || c === '\u0085' || c === '\u00a0';
}
/** Go's unicode.IsSpace (line breaks included), for where a statement starts. */
function isAnySpace(c) {
    return /\s/.test(c) || c === '\u0085';
}
function trimLeftSpace(s, from) {
    while (from < s.length && isSpace(s[from]))
        from++;
    return from;
}
const ESCAPE = /\\./g;
const UNESCAPE = /\\([^$])/g;
const EXPAND = /(\\)?(\$)(\()?\{?([A-Z0-9_]+)?\}?/g;
/** `\n` and `\r` in double quotes; other escaped characters lose their backslash (not `\$`). */
function expandEscapes(value) {
    return value.replace(ESCAPE, m => (m === '\\n' ? '\n' : m === '\\r' ? '\r' : m)).replace(UNESCAPE, '$1');
}
/**
 * The most the variables of one file may hold once `${VAR}` is expanded:
 * a few lines that each double the last would otherwise fill the memory
 * before any request (`A=xxxx`, `B=$A$A`, `C=$B$B`…).
 */
const MAX_EXPANDED_BYTES = 1024 * 1024;
/** Thrown when an expansion would pass its budget; the parser names the line. */
class TooLarge extends Error {
}
/**
 * `$VAR` and `${VAR}` from entries earlier in the file only (never the
 * runner's environment); undefined is empty. The result may hold at most
 * `budget` bytes, counted as it is built.
 */
function expandVariables(value, vars, budget) {
    let used = Buffer.byteLength(value);
    if (used > budget)
        throw new TooLarge();
    return value.replace(EXPAND, (match, escaped, _dollar, _paren, name) => {
        if (escaped === '\\')
            return match.slice(1);
        if (!name)
            return match;
        const expanded = vars.get(name) ?? '';
        used += Buffer.byteLength(expanded);
        if (used > budget)
            throw new TooLarge();
        return expanded;
    });
}
class DotenvParser {
    src;
    input;
    pos = 0;
    vars = new Map();
    /** Bytes the variables hold so far. */
    bytes = 0;
    constructor(src, input) {
        this.src = src;
        this.input = input;
    }
    /** The 1-based line of a position, for messages that never quote the text. */
    lineAt(pos) {
        let line = 1;
        for (let i = 0; i < pos && i < this.src.length; i++)
            if (this.src[i] === '\n')
                line++;
        return line;
    }
    fail(pos, what) {
        throw new _lib_errors_js__WEBPACK_IMPORTED_MODULE_0__/* .InputError */ .dz(this.input, `line ${this.lineAt(pos)} ${what}`);
    }
    parse() {
        while (this.statementStart()) {
            const start = this.pos;
            const name = this.keyName();
            if (name === '')
                this.fail(start, 'has no variable name before its = sign');
            const previous = Buffer.byteLength(this.vars.get(name) ?? '');
            let value;
            try {
                value = this.value(name, MAX_EXPANDED_BYTES - this.bytes + previous);
            }
            catch (err) {
                if (!(err instanceof TooLarge))
                    throw err;
                this.fail(start, `makes the file's variables larger than ${MAX_EXPANDED_BYTES / 1024 / 1024} MiB once \${...} references are expanded`);
            }
            this.bytes += Buffer.byteLength(value) - previous;
            this.vars.set(name, value);
        }
        return asVariables(this.vars);
    }
    /** Skips blank space and comment lines; false at the end of the text. */
    statementStart() {
        for (;;) {
            while (this.pos < this.src.length && isAnySpace(this.src[this.pos]))
                this.pos++;
            if (this.pos >= this.src.length)
                return false;
            if (this.src[this.pos] !== '#')
                return true;
            const eol = this.src.indexOf('\n', this.pos);
            if (eol < 0)
                return false;
            this.pos = eol;
        }
    }
    /** The name, up to `=` or `:` (YAML style), after an optional `export `. */
    keyName() {
        let p = trimLeftSpace(this.src, this.pos);
        if (this.src.startsWith(EXPORT, p) && isSpace(this.src[p + EXPORT.length] ?? ''))
            p = trimLeftSpace(this.src, p + EXPORT.length);
        const start = p;
        for (; p < this.src.length; p++) {
            const c = this.src[p];
            if (c === '=' || c === ':')
                break;
            if (isSpace(c) || c === '_' || c === '.' || /[A-Za-z0-9]/.test(c))
                continue;
            this.fail(p, c === '\n'
                ? 'is not NAME=value'
                : 'has a character that is not allowed in a variable name (letters, digits, _ and .)');
        }
        if (p >= this.src.length)
            this.fail(start, 'is not NAME=value');
        const name = this.src.slice(start, p).replace(/\s+$/, '');
        if (/\s/.test(name))
            this.fail(start, 'has a space in its variable name');
        this.pos = trimLeftSpace(this.src, p + 1);
        return name;
    }
    /** The value after `=`, expanded within `budget` bytes. */
    value(name, budget) {
        const quote = this.src[this.pos];
        if (quote === '"' || quote === "'")
            return this.quotedValue(name, quote, budget);
        let eol = this.pos;
        while (eol < this.src.length && this.src[eol] !== '\n' && this.src[eol] !== '\r')
            eol++;
        let line = this.src.slice(this.pos, eol);
        this.pos = eol;
        // The last ` #` starts a comment, as in godotenv.
        for (let i = line.length - 1; i > 0; i--) {
            if (line[i] === '#' && isSpace(line[i - 1])) {
                line = line.slice(0, i);
                break;
            }
        }
        let a = 0;
        let b = line.length;
        while (a < b && isSpace(line[a]))
            a++;
        while (b > a && isSpace(line[b - 1]))
            b--;
        return expandVariables(line.slice(a, b), this.vars, budget);
    }
    quotedValue(name, quote, budget) {
        for (let i = this.pos + 1; i < this.src.length; i++) {
            if (this.src[i] !== quote || this.src[i - 1] === '\\')
                continue;
            let raw = this.src.slice(this.pos, i);
            while (raw.startsWith(quote))
                raw = raw.slice(1);
            while (raw.endsWith(quote))
                raw = raw.slice(0, -1);
            this.pos = i + 1;
            if (quote === "'" && Buffer.byteLength(raw) > budget)
                throw new TooLarge();
            return quote === '"' ? expandVariables(expandEscapes(raw), this.vars, budget) : raw;
        }
        return this.fail(this.pos, `has an unterminated ${quote === '"' ? 'double' : 'single'} quote (the value of ${name})`);
    }
}
/** Parses dotenv text as `scalingo env-set --file` does; errors name the line, never its text. */
function parseDotenv(text, input = 'env-file') {
    const src = text.replace(/^\uFEFF/, '').replace(/\r\n/g, '\n');
    return new DotenvParser(src, input).parse();
}
/** Names `scalingo env-set NAME=value` accepts on its command line. */
const CLI_NAME = /^[A-Za-z0-9_-]+$/;
/**
 * The `variables` input: `NAME=value` lines (the value is everything after
 * the first `=`), blank lines and `#` comments ignored. As the CLI, an
 * empty value is refused: most often an unset secret.
 */
function parseVariableLines(text, input = 'variables') {
    const out = new Map();
    text.split('\n').forEach((raw, i) => {
        const line = raw.replace(/\r$/, '');
        if (line.trim() === '' || line.trim().startsWith('#'))
            return;
        const eq = line.indexOf('=');
        if (eq < 0)
            throw new _lib_errors_js__WEBPACK_IMPORTED_MODULE_0__/* .InputError */ .dz(input, `line ${i + 1} is not NAME=value`);
        const name = line.slice(0, eq).trim();
        if (!CLI_NAME.test(name))
            throw new _lib_errors_js__WEBPACK_IMPORTED_MODULE_0__/* .InputError */ .dz(input, `line ${i + 1}: the name must be letters, digits, _ and - only`);
        const value = line.slice(eq + 1);
        if (value === '')
            throw new _lib_errors_js__WEBPACK_IMPORTED_MODULE_0__/* .InputError */ .dz(input, `line ${i + 1}: ${name} has an empty value (an unset secret?)`);
        out.set(name, value);
    });
    return asVariables(out);
}
/** The values of `variables` lines, before they are checked: masked the moment the input is read. */
function variableValues(text) {
    return text
        .split('\n')
        .map(l => l.replace(/\r$/, ''))
        .filter(l => l.includes('=') && !l.trim().startsWith('#'))
        .map(l => l.slice(l.indexOf('=') + 1));
}
/** The env-file's variables with `variables` over them (`scalingo env-set --file .env NAME=value`). */
function mergeVariables(file, overrides) {
    const merged = new Map(file.map(v => [v.name, v.value]));
    for (const v of overrides)
        merged.set(v.name, v.value);
    return asVariables(merged);
}


/***/ }),

/***/ 7428:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   Br: () => (/* binding */ maskRunInputs),
/* harmony export */   D0: () => (/* binding */ REVIEW_INPUTS),
/* harmony export */   mc: () => (/* binding */ INPUTS),
/* harmony export */   q: () => (/* binding */ maskSecretInputs),
/* harmony export */   qT: () => (/* binding */ RUN_INPUTS)
/* harmony export */ });
/* unused harmony export SECRET_INPUTS */
/* harmony import */ var _lib_secrets_js__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(5714);
/* harmony import */ var _dotenv_js__WEBPACK_IMPORTED_MODULE_1__ = __nccwpck_require__(6443);


/**
 * Every input the action reads, by the name users write in `with:`. The
 * code reads inputs only through this table, and the metadata tests check
 * it against action.yml.
 */
const INPUTS = {
    app: 'app',
    apiToken: 'api-token',
    region: 'region',
    ref: 'ref',
    repository: 'repository',
    githubToken: 'github-token',
    sourceUrl: 'source-url',
    wait: 'wait',
    timeout: 'timeout',
    apiUrl: 'api-url',
    authUrl: 'auth-url',
    force: 'force',
    dryRun: 'dry-run',
    envFile: 'env-file',
    environment: 'environment',
    promoteFrom: 'promote-from',
    promoteFromApiToken: 'promote-from-api-token',
    promoteFromRegion: 'promote-from-region',
    archivePath: 'archive-path',
    archiveTransfer: 'archive-transfer',
    variables: 'variables',
    healthCheck: 'health-check',
    healthCheckTimeout: 'health-check-timeout',
    rollback: 'rollback',
    notifyWebhook: 'notify-webhook',
    notifyOn: 'notify-on'
};
/** The `run` action's own inputs (`app`, `api-token`, `region`, `api-url`, `auth-url` are read as the deploy action's). */
const RUN_INPUTS = {
    command: 'command',
    env: 'env',
    size: 'size',
    detached: 'detached',
    timeout: 'timeout',
    dryRun: 'dry-run'
};
/**
 * The `review-app` action's own inputs (`api-token`, `region`, `api-url`,
 * `auth-url`, `github-token`, `timeout`, `wait`, `health-check`,
 * `health-check-timeout`, `env-file`, `variables`, `dry-run` and
 * `environment` are read as the deploy action's).
 */
const REVIEW_INPUTS = {
    parent: 'parent',
    pullRequest: 'pull-request',
    name: 'name',
    mode: 'mode',
    addons: 'addons',
    copyVariables: 'copy-variables',
    afterCreate: 'after-create',
    forks: 'forks',
    comment: 'comment'
};
/** Inputs that hold secrets: masked before anything else reads them. */
const SECRET_INPUTS = [
    INPUTS.apiToken,
    INPUTS.githubToken,
    INPUTS.promoteFromApiToken,
    INPUTS.notifyWebhook
];
/** The `run` action's secrets: the API token and every `env` value, masked before anything else reads them. */
function maskRunInputs(get) {
    (0,_lib_secrets_js__WEBPACK_IMPORTED_MODULE_0__/* .registerSecret */ .cl)(get(INPUTS.apiToken));
    maskWebhook(get);
    for (const value of (0,_dotenv_js__WEBPACK_IMPORTED_MODULE_1__/* .variableValues */ .x3)(get(RUN_INPUTS.env)))
        (0,_lib_secrets_js__WEBPACK_IMPORTED_MODULE_0__/* .registerSecret */ .cl)(value);
}
/** The webhook URL, whole and its path's parts (the path is the credential), before anything can print it. */
function maskWebhook(get) {
    const url = get(INPUTS.notifyWebhook).trim();
    if (url)
        (0,_lib_secrets_js__WEBPACK_IMPORTED_MODULE_0__/* .registerSecretUrl */ .l2)(url, { path: true });
}
function maskSecretInputs(get) {
    for (const name of SECRET_INPUTS)
        (0,_lib_secrets_js__WEBPACK_IMPORTED_MODULE_0__/* .registerSecret */ .cl)(get(name));
    maskWebhook(get);
    for (const value of (0,_dotenv_js__WEBPACK_IMPORTED_MODULE_1__/* .variableValues */ .x3)(get(INPUTS.variables)))
        (0,_lib_secrets_js__WEBPACK_IMPORTED_MODULE_0__/* .registerSecret */ .cl)(value);
}


/***/ }),

/***/ 2584:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   J: () => (/* binding */ readNotifySettings)
/* harmony export */ });
/* harmony import */ var _lib_errors_js__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(7268);
/* harmony import */ var _lib_text_js__WEBPACK_IMPORTED_MODULE_1__ = __nccwpck_require__(9112);
/* harmony import */ var _lib_urls_js__WEBPACK_IMPORTED_MODULE_4__ = __nccwpck_require__(1281);
/* harmony import */ var _inputs_js__WEBPACK_IMPORTED_MODULE_2__ = __nccwpck_require__(7428);
/* harmony import */ var _parse_js__WEBPACK_IMPORTED_MODULE_3__ = __nccwpck_require__(6894);





function readNotifySettings(get) {
    const on = (0,_parse_js__WEBPACK_IMPORTED_MODULE_3__/* .parseChoice */ .HU)(_inputs_js__WEBPACK_IMPORTED_MODULE_2__/* .INPUTS */ .mc.notifyOn, get(_inputs_js__WEBPACK_IMPORTED_MODULE_2__/* .INPUTS */ .mc.notifyOn).trim(), ['always', 'failure', 'change']);
    const value = get(_inputs_js__WEBPACK_IMPORTED_MODULE_2__/* .INPUTS */ .mc.notifyWebhook).trim();
    if (!value)
        return { on };
    const refuse = (why) => {
        throw new _lib_errors_js__WEBPACK_IMPORTED_MODULE_0__/* .InputError */ .dz(_inputs_js__WEBPACK_IMPORTED_MODULE_2__/* .INPUTS */ .mc.notifyWebhook, `${why} (the URL is a secret: not shown)`);
    };
    if ((0,_lib_text_js__WEBPACK_IMPORTED_MODULE_1__/* .hasControlChars */ .jt)(value) || /\s/.test(value))
        refuse('must be one URL, without spaces or line breaks');
    let u;
    try {
        u = new URL(value);
    }
    catch {
        return refuse('is not a URL; expected the https:// URL of a Slack or Mattermost incoming webhook');
    }
    if (!(0,_lib_urls_js__WEBPACK_IMPORTED_MODULE_4__/* .isHttpsOrLoopback */ .cU)(u))
        refuse(`must be an https:// URL (plain http only for loopback hosts), got ${u.protocol}//…`);
    if (u.username || u.password)
        refuse('must not contain credentials (user:password@)');
    return { webhook: value, on };
}


/***/ }),

/***/ 4840:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   B4: () => (/* binding */ readCommandText),
/* harmony export */   aR: () => (/* binding */ refuseSecretsInCommand),
/* harmony export */   bJ: () => (/* binding */ readOneOffSettings)
/* harmony export */ });
/* unused harmony export DEFAULT_RUN_TIMEOUT */
/* harmony import */ var _lib_errors_js__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(7268);
/* harmony import */ var _lib_text_js__WEBPACK_IMPORTED_MODULE_1__ = __nccwpck_require__(9112);
/* harmony import */ var _dotenv_js__WEBPACK_IMPORTED_MODULE_2__ = __nccwpck_require__(6443);
/* harmony import */ var _inputs_js__WEBPACK_IMPORTED_MODULE_3__ = __nccwpck_require__(7428);
/* harmony import */ var _parse_js__WEBPACK_IMPORTED_MODULE_4__ = __nccwpck_require__(6894);
/* harmony import */ var _settings_js__WEBPACK_IMPORTED_MODULE_5__ = __nccwpck_require__(7100);






/**
 * The `run` action's inputs, validated before any request: the target as
 * the deploy action reads it, then the command and its environment.
 */
const DEFAULT_RUN_TIMEOUT = '1h';
/** The shortest `env` value whose presence in `command` is refused (shorter ones say nothing). */
const MIN_VALUE_IN_COMMAND = 4;
/** A command line: any text but control characters other than tab and line breaks (a YAML block); '' when empty. */
function readCommandText(input, value) {
    const command = value.trim();
    if ((0,_lib_text_js__WEBPACK_IMPORTED_MODULE_1__/* .hasControlChars */ .jt)(command.replace(/[\t\r\n]/g, ' ')))
        throw new _lib_errors_js__WEBPACK_IMPORTED_MODULE_0__/* .InputError */ .dz(input, 'must not hold control characters');
    if (command.length > 16 * 1024)
        throw new _lib_errors_js__WEBPACK_IMPORTED_MODULE_0__/* .InputError */ .dz(input, 'must be at most 16 KiB');
    return command;
}
/** `command`: required. */
function readCommand(get) {
    const command = readCommandText(_inputs_js__WEBPACK_IMPORTED_MODULE_3__/* .RUN_INPUTS */ .qT.command, get(_inputs_js__WEBPACK_IMPORTED_MODULE_3__/* .RUN_INPUTS */ .qT.command));
    if (command === '')
        throw new _lib_errors_js__WEBPACK_IMPORTED_MODULE_0__/* .InputError */ .dz(_inputs_js__WEBPACK_IMPORTED_MODULE_3__/* .RUN_INPUTS */ .qT.command, 'is required: the command to run in a one-off container');
    return command;
}
/**
 * Scalingo keeps one-off commands in its audit log and the app's events:
 * a secret belongs in `env`. Refused when `command` holds the API token or
 * the value of an `env` entry, naming the variable, never the value.
 */
function refuseSecretsInCommand(command, env, apiToken, input = _inputs_js__WEBPACK_IMPORTED_MODULE_3__/* .RUN_INPUTS */ .qT.command) {
    if (apiToken.length >= MIN_VALUE_IN_COMMAND && command.includes(apiToken)) {
        throw new _lib_errors_js__WEBPACK_IMPORTED_MODULE_0__/* .InputError */ .dz(input, "contains the API token: Scalingo records one-off commands in the app's events and audit log");
    }
    for (const v of env) {
        if (v.value.length >= MIN_VALUE_IN_COMMAND && command.includes(v.value)) {
            throw new _lib_errors_js__WEBPACK_IMPORTED_MODULE_0__/* .InputError */ .dz(input, `contains the value of env ${v.name}: Scalingo records one-off commands in the app's events and audit log; refer to it as $${v.name} instead`);
        }
    }
}
function readOneOffSettings(get) {
    const target = (0,_settings_js__WEBPACK_IMPORTED_MODULE_5__/* .readTarget */ ._E)(get);
    const command = readCommand(get);
    const env = (0,_dotenv_js__WEBPACK_IMPORTED_MODULE_2__/* .parseVariableLines */ .fu)(get(_inputs_js__WEBPACK_IMPORTED_MODULE_3__/* .RUN_INPUTS */ .qT.env), _inputs_js__WEBPACK_IMPORTED_MODULE_3__/* .RUN_INPUTS */ .qT.env);
    refuseSecretsInCommand(command, env, target.apiToken);
    const sizeInput = get(_inputs_js__WEBPACK_IMPORTED_MODULE_3__/* .RUN_INPUTS */ .qT.size).trim();
    if (sizeInput && !/^[A-Za-z0-9]{1,8}$/.test(sizeInput))
        throw new _lib_errors_js__WEBPACK_IMPORTED_MODULE_0__/* .InputError */ .dz(_inputs_js__WEBPACK_IMPORTED_MODULE_3__/* .RUN_INPUTS */ .qT.size, `${(0,_lib_text_js__WEBPACK_IMPORTED_MODULE_1__/* .quote */ .hD)(sizeInput)} is not a container size; expected letters and digits, like M, L or 2XL`);
    const detached = (0,_parse_js__WEBPACK_IMPORTED_MODULE_4__/* .parseBoolean */ .yG)(_inputs_js__WEBPACK_IMPORTED_MODULE_3__/* .RUN_INPUTS */ .qT.detached, get(_inputs_js__WEBPACK_IMPORTED_MODULE_3__/* .RUN_INPUTS */ .qT.detached), false);
    const timeoutSeconds = (0,_parse_js__WEBPACK_IMPORTED_MODULE_4__/* .parseDuration */ .E9)(_inputs_js__WEBPACK_IMPORTED_MODULE_3__/* .RUN_INPUTS */ .qT.timeout, get(_inputs_js__WEBPACK_IMPORTED_MODULE_3__/* .RUN_INPUTS */ .qT.timeout) || DEFAULT_RUN_TIMEOUT);
    const dryRun = (0,_parse_js__WEBPACK_IMPORTED_MODULE_4__/* .parseBoolean */ .yG)(_inputs_js__WEBPACK_IMPORTED_MODULE_3__/* .RUN_INPUTS */ .qT.dryRun, get(_inputs_js__WEBPACK_IMPORTED_MODULE_3__/* .RUN_INPUTS */ .qT.dryRun), false);
    return { ...target, command, env, size: sizeInput || undefined, detached, timeoutSeconds, dryRun };
}


/***/ }),

/***/ 6894:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   E9: () => (/* binding */ parseDuration),
/* harmony export */   Ei: () => (/* binding */ parseSourceUrl),
/* harmony export */   Ep: () => (/* binding */ parseServerUrl),
/* harmony export */   HU: () => (/* binding */ parseChoice),
/* harmony export */   Q2: () => (/* binding */ parseBaseUrl),
/* harmony export */   QV: () => (/* binding */ parseAppName),
/* harmony export */   SU: () => (/* binding */ parseRepository),
/* harmony export */   X7: () => (/* binding */ refuseCredentials),
/* harmony export */   bC: () => (/* binding */ parseRegionName),
/* harmony export */   mX: () => (/* binding */ parseHttpsUrl),
/* harmony export */   pF: () => (/* binding */ singleLine),
/* harmony export */   pI: () => (/* binding */ parseToken),
/* harmony export */   rd: () => (/* binding */ parseRef),
/* harmony export */   yG: () => (/* binding */ parseBoolean)
/* harmony export */ });
/* unused harmony export MAX_TIMEOUT_SECONDS */
/* harmony import */ var _lib_errors_js__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(7268);
/* harmony import */ var _lib_text_js__WEBPACK_IMPORTED_MODULE_1__ = __nccwpck_require__(9112);
/* harmony import */ var _lib_refs_js__WEBPACK_IMPORTED_MODULE_3__ = __nccwpck_require__(9265);
/* harmony import */ var _lib_urls_js__WEBPACK_IMPORTED_MODULE_2__ = __nccwpck_require__(1281);




/** One parser per kind of input value: each returns the value or throws an InputError naming the input. */
/** Six hours: the longest a GitHub-hosted job may run. */
const MAX_TIMEOUT_SECONDS = 6 * 3600;
const APP_NAME = /^[a-z0-9](?:[a-z0-9-]{0,46}[a-z0-9])?$/;
const REGION_NAME = /^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/;
const OWNER = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/;
const REPO = /^[A-Za-z0-9._-]{1,100}$/;
function singleLine(name, value) {
    if ((0,_lib_text_js__WEBPACK_IMPORTED_MODULE_1__/* .hasControlChars */ .jt)(value))
        throw new _lib_errors_js__WEBPACK_IMPORTED_MODULE_0__/* .InputError */ .dz(name, 'must be a single line without control characters');
    return value;
}
/** A token: one word, no spaces or line breaks (`required` says what it is for). */
function parseToken(name, value, required) {
    if (value === '' && required)
        throw new _lib_errors_js__WEBPACK_IMPORTED_MODULE_0__/* .InputError */ .dz(name, `is required: ${required}`);
    if ((0,_lib_text_js__WEBPACK_IMPORTED_MODULE_1__/* .hasControlChars */ .jt)(value) || /\s/.test(value))
        throw new _lib_errors_js__WEBPACK_IMPORTED_MODULE_0__/* .InputError */ .dz(name, 'must be a single token without spaces or newlines');
    return value;
}
function parseUrl(name, value, expected) {
    singleLine(name, value);
    try {
        return new URL(value);
    }
    catch {
        throw new _lib_errors_js__WEBPACK_IMPORTED_MODULE_0__/* .InputError */ .dz(name, expected);
    }
}
function requireHttps(name, u) {
    if (!(0,_lib_urls_js__WEBPACK_IMPORTED_MODULE_2__/* .isHttpsOrLoopback */ .cU)(u)) {
        throw new _lib_errors_js__WEBPACK_IMPORTED_MODULE_0__/* .InputError */ .dz(name, `must be an https:// URL (plain http is only allowed for loopback hosts), got ${u.protocol}//…`);
    }
}
/** No `user:password@` in a URL given as an input. */
function refuseCredentials(name, u) {
    if (u.username || u.password)
        throw new _lib_errors_js__WEBPACK_IMPORTED_MODULE_0__/* .InputError */ .dz(name, 'must not contain credentials');
}
/**
 * An https base URL (http only for loopback hosts, so tests can run):
 * a token never travels over plain http. Returns it without a trailing slash.
 */
function parseBaseUrl(name, value) {
    const u = parseUrl(name, value, `${(0,_lib_text_js__WEBPACK_IMPORTED_MODULE_1__/* .quote */ .hD)(value)} is not a URL; expected https://host[/path]`);
    requireHttps(name, u);
    refuseCredentials(name, u);
    if (u.search || u.hash)
        throw new _lib_errors_js__WEBPACK_IMPORTED_MODULE_0__/* .InputError */ .dz(name, 'must not contain a query string or fragment');
    return `${u.protocol}//${u.host}${u.pathname.replace(/\/+$/, '')}`;
}
/** An https URL (loopback http for tests); `expected` says what it is for. */
function parseHttpsUrl(name, value, expected) {
    requireHttps(name, parseUrl(name, value, `is not a URL; expected ${expected}`));
    return value;
}
/** The archive Scalingo will fetch. */
function parseSourceUrl(name, value) {
    return parseHttpsUrl(name, value, 'an https:// URL of a .tar.gz archive');
}
/** GITHUB_SERVER_URL only builds public archive URLs (no token goes there). */
function parseServerUrl(name, value) {
    const u = parseUrl(name, value, `${(0,_lib_text_js__WEBPACK_IMPORTED_MODULE_1__/* .quote */ .hD)(value)} is not a URL`);
    if (u.protocol !== 'https:' && u.protocol !== 'http:')
        throw new _lib_errors_js__WEBPACK_IMPORTED_MODULE_0__/* .InputError */ .dz(name, 'must be an http(s) URL');
    return `${u.protocol}//${u.host}${u.pathname.replace(/\/+$/, '')}`;
}
/** `900`, `90s`, `15m`, `1h`, `1h30m`: seconds, between 1 s and 6 h. */
function parseDuration(name, value) {
    singleLine(name, value);
    const accepted = 'expected seconds (900) or a duration like 90s, 15m, 1h, 1h30m';
    const v = value.trim().toLowerCase();
    let seconds;
    if (/^\d{1,6}$/.test(v)) {
        seconds = parseInt(v, 10);
    }
    else {
        const m = /^(?:(\d{1,3})h)?(?:(\d{1,5})m)?(?:(\d{1,6})s)?$/.exec(v);
        if (!m || v === '')
            throw new _lib_errors_js__WEBPACK_IMPORTED_MODULE_0__/* .InputError */ .dz(name, `${(0,_lib_text_js__WEBPACK_IMPORTED_MODULE_1__/* .quote */ .hD)(value)} is not a duration; ${accepted}`);
        seconds = parseInt(m[1] ?? '0', 10) * 3600 + parseInt(m[2] ?? '0', 10) * 60 + parseInt(m[3] ?? '0', 10);
    }
    if (seconds < 1)
        throw new _lib_errors_js__WEBPACK_IMPORTED_MODULE_0__/* .InputError */ .dz(name, `must be at least 1 second, got ${(0,_lib_text_js__WEBPACK_IMPORTED_MODULE_1__/* .quote */ .hD)(value)}`);
    if (seconds > MAX_TIMEOUT_SECONDS)
        throw new _lib_errors_js__WEBPACK_IMPORTED_MODULE_0__/* .InputError */ .dz(name, `must be at most 6h (a job's longest run), got ${(0,_lib_text_js__WEBPACK_IMPORTED_MODULE_1__/* .quote */ .hD)(value)}`);
    return seconds;
}
/** One of a few words (the first is the default when empty): `must be a, b or c, got "x"` otherwise. */
function parseChoice(name, value, choices) {
    const v = value || choices[0];
    if (choices.includes(v))
        return v;
    const words = `${choices.slice(0, -1).join(', ')} or ${choices[choices.length - 1]}`;
    throw new _lib_errors_js__WEBPACK_IMPORTED_MODULE_0__/* .InputError */ .dz(name, `must be ${words}, got ${(0,_lib_text_js__WEBPACK_IMPORTED_MODULE_1__/* .quote */ .hD)(v)}`);
}
function parseBoolean(name, value, fallback) {
    const v = value.trim();
    if (v === '')
        return fallback;
    if (['true', 'True', 'TRUE'].includes(v))
        return true;
    if (['false', 'False', 'FALSE'].includes(v))
        return false;
    throw new _lib_errors_js__WEBPACK_IMPORTED_MODULE_0__/* .InputError */ .dz(name, `must be true or false, got ${(0,_lib_text_js__WEBPACK_IMPORTED_MODULE_1__/* .quote */ .hD)(v)}`);
}
function parseAppName(name, value) {
    if (value === '')
        throw new _lib_errors_js__WEBPACK_IMPORTED_MODULE_0__/* .InputError */ .dz(name, 'is required: the name of the Scalingo app to deploy');
    singleLine(name, value);
    if (!APP_NAME.test(value)) {
        throw new _lib_errors_js__WEBPACK_IMPORTED_MODULE_0__/* .InputError */ .dz(name, `${(0,_lib_text_js__WEBPACK_IMPORTED_MODULE_1__/* .quote */ .hD)(value)} is not a Scalingo app name; expected lowercase letters, digits and hyphens (at most 48), not starting or ending with a hyphen`);
    }
    return value;
}
function parseRegionName(name, value, known) {
    singleLine(name, value);
    if (!REGION_NAME.test(value))
        throw new _lib_errors_js__WEBPACK_IMPORTED_MODULE_0__/* .InputError */ .dz(name, `${(0,_lib_text_js__WEBPACK_IMPORTED_MODULE_1__/* .quote */ .hD)(value)} is not a region name; known regions: ${known.join(', ')}`);
    return value;
}
function parseRepository(name, value) {
    singleLine(name, value);
    const parts = value.split('/');
    if (parts.length !== 2 || !OWNER.test(parts[0]) || !REPO.test(parts[1]) || parts[1] === '.' || parts[1] === '..') {
        throw new _lib_errors_js__WEBPACK_IMPORTED_MODULE_0__/* .InputError */ .dz(name, `${(0,_lib_text_js__WEBPACK_IMPORTED_MODULE_1__/* .quote */ .hD)(value)} is not a repository; expected owner/name`);
    }
    return { owner: parts[0], repo: parts[1].replace(/\.git$/, '') };
}
/** A git ref as `git check-ref-format` would accept it, or a SHA. */
function parseRef(name, value) {
    singleLine(name, value);
    const problem = (0,_lib_refs_js__WEBPACK_IMPORTED_MODULE_3__/* .refFormatProblem */ .Q5)(value);
    if (problem)
        throw new _lib_errors_js__WEBPACK_IMPORTED_MODULE_0__/* .InputError */ .dz(name, `${(0,_lib_text_js__WEBPACK_IMPORTED_MODULE_1__/* .quote */ .hD)(value)} is not a valid git ref (${problem}); expected a tag, branch or commit SHA`);
    return value;
}


/***/ }),

/***/ 7100:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   Y3: () => (/* binding */ readBehaviour),
/* harmony export */   _E: () => (/* binding */ readTarget),
/* harmony export */   sb: () => (/* binding */ readSettings)
/* harmony export */ });
/* unused harmony exports DEFAULT_TIMEOUT, DEFAULT_HEALTH_CHECK_TIMEOUT, readSource, readPromotion, readArchive */
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(6760);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__nccwpck_require__.n(node_path__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var _lib_errors_js__WEBPACK_IMPORTED_MODULE_1__ = __nccwpck_require__(7268);
/* harmony import */ var _lib_refs_js__WEBPACK_IMPORTED_MODULE_7__ = __nccwpck_require__(9265);
/* harmony import */ var _lib_text_js__WEBPACK_IMPORTED_MODULE_2__ = __nccwpck_require__(9112);
/* harmony import */ var _scalingo_regions_js__WEBPACK_IMPORTED_MODULE_3__ = __nccwpck_require__(6487);
/* harmony import */ var _dotenv_js__WEBPACK_IMPORTED_MODULE_4__ = __nccwpck_require__(6443);
/* harmony import */ var _inputs_js__WEBPACK_IMPORTED_MODULE_5__ = __nccwpck_require__(7428);
/* harmony import */ var _parse_js__WEBPACK_IMPORTED_MODULE_6__ = __nccwpck_require__(6894);








/** Longer than Scalingo's own limits (a 30-minute build, plus time queued): Scalingo ends a deployment first. */
const DEFAULT_TIMEOUT = '45m';
const DEFAULT_HEALTH_CHECK_TIMEOUT = '2m';
/** Events whose GITHUB_SHA is not the code to deploy: a ref must be given. */
const EVENTS_NEEDING_A_REF = ['pull_request_target', 'issue_comment'];
/** The app, its region and the token; `appInput`: the input that names the app (`parent` for review apps). */
function readTarget(get, appInput = _inputs_js__WEBPACK_IMPORTED_MODULE_5__/* .INPUTS */ .mc.app) {
    const app = (0,_parse_js__WEBPACK_IMPORTED_MODULE_6__/* .parseAppName */ .QV)(appInput, get(appInput));
    const apiToken = (0,_parse_js__WEBPACK_IMPORTED_MODULE_6__/* .parseToken */ .pI)(_inputs_js__WEBPACK_IMPORTED_MODULE_5__/* .INPUTS */ .mc.apiToken, get(_inputs_js__WEBPACK_IMPORTED_MODULE_5__/* .INPUTS */ .mc.apiToken), 'a Scalingo API token of the production account, stored as a secret');
    const region = (0,_parse_js__WEBPACK_IMPORTED_MODULE_6__/* .parseRegionName */ .bC)(_inputs_js__WEBPACK_IMPORTED_MODULE_5__/* .INPUTS */ .mc.region, get(_inputs_js__WEBPACK_IMPORTED_MODULE_5__/* .INPUTS */ .mc.region) || _scalingo_regions_js__WEBPACK_IMPORTED_MODULE_3__/* .DEFAULT_REGION */ .t9, _scalingo_regions_js__WEBPACK_IMPORTED_MODULE_3__/* .KNOWN_REGIONS */ .Qu);
    const apiUrlInput = get(_inputs_js__WEBPACK_IMPORTED_MODULE_5__/* .INPUTS */ .mc.apiUrl);
    if (apiUrlInput === '' && !(0,_scalingo_regions_js__WEBPACK_IMPORTED_MODULE_3__/* .isKnownRegion */ .Kk)(region)) {
        throw new _lib_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .InputError */ .dz(_inputs_js__WEBPACK_IMPORTED_MODULE_5__/* .INPUTS */ .mc.region, `${(0,_lib_text_js__WEBPACK_IMPORTED_MODULE_2__/* .quote */ .hD)(region)} is not a known region (${_scalingo_regions_js__WEBPACK_IMPORTED_MODULE_3__/* .KNOWN_REGIONS */ .Qu.join(', ')}); set api-url for another region`);
    }
    const apiUrl = (0,_parse_js__WEBPACK_IMPORTED_MODULE_6__/* .parseBaseUrl */ .Q2)(_inputs_js__WEBPACK_IMPORTED_MODULE_5__/* .INPUTS */ .mc.apiUrl, apiUrlInput || (0,_scalingo_regions_js__WEBPACK_IMPORTED_MODULE_3__/* .regionApiUrl */ .Oi)(region)).replace(/\/v1$/, '');
    const authUrl = (0,_parse_js__WEBPACK_IMPORTED_MODULE_6__/* .parseBaseUrl */ .Q2)(_inputs_js__WEBPACK_IMPORTED_MODULE_5__/* .INPUTS */ .mc.authUrl, get(_inputs_js__WEBPACK_IMPORTED_MODULE_5__/* .INPUTS */ .mc.authUrl) || _scalingo_regions_js__WEBPACK_IMPORTED_MODULE_3__/* .DEFAULT_AUTH_URL */ .jc).replace(/\/v1$/, '');
    return { app, apiToken, region, apiUrl, authUrl };
}
function readSource(get, env) {
    const sourceUrlInput = get(_inputs_js__WEBPACK_IMPORTED_MODULE_5__/* .INPUTS */ .mc.sourceUrl);
    const sourceUrl = sourceUrlInput ? (0,_parse_js__WEBPACK_IMPORTED_MODULE_6__/* .parseSourceUrl */ .Ei)(_inputs_js__WEBPACK_IMPORTED_MODULE_5__/* .INPUTS */ .mc.sourceUrl, sourceUrlInput) : undefined;
    const workflow = {
        event: env.GITHUB_EVENT_NAME ?? '',
        sha: env.GITHUB_SHA ?? '',
        refType: env.GITHUB_REF_TYPE ?? '',
        refName: env.GITHUB_REF_NAME ?? '',
        eventPath: env.GITHUB_EVENT_PATH ?? ''
    };
    // A source-url, a local archive or a promotion say what ships: the workflow's event does not.
    const commitElsewhere = !!sourceUrl || !!get(_inputs_js__WEBPACK_IMPORTED_MODULE_5__/* .INPUTS */ .mc.archivePath) || !!get(_inputs_js__WEBPACK_IMPORTED_MODULE_5__/* .INPUTS */ .mc.promoteFrom);
    const { ref, refFrom } = readRef(get(_inputs_js__WEBPACK_IMPORTED_MODULE_5__/* .INPUTS */ .mc.ref), workflow, commitElsewhere);
    const repoInput = get(_inputs_js__WEBPACK_IMPORTED_MODULE_5__/* .INPUTS */ .mc.repository) || env.GITHUB_REPOSITORY || '';
    if (repoInput === '' && !sourceUrl)
        throw new _lib_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .InputError */ .dz(_inputs_js__WEBPACK_IMPORTED_MODULE_5__/* .INPUTS */ .mc.repository, 'is empty and GITHUB_REPOSITORY is not set; expected owner/name');
    const repository = repoInput ? (0,_parse_js__WEBPACK_IMPORTED_MODULE_6__/* .parseRepository */ .SU)(_inputs_js__WEBPACK_IMPORTED_MODULE_5__/* .INPUTS */ .mc.repository, repoInput) : { owner: '', repo: '' };
    const githubToken = (0,_parse_js__WEBPACK_IMPORTED_MODULE_6__/* .parseToken */ .pI)(_inputs_js__WEBPACK_IMPORTED_MODULE_5__/* .INPUTS */ .mc.githubToken, get(_inputs_js__WEBPACK_IMPORTED_MODULE_5__/* .INPUTS */ .mc.githubToken));
    // GITHUB_API_URL carries the GitHub token: same rule as our own URLs, checked
    // here when a commit is resolved, and by readSettings when a rollback or a
    // GitHub deployment may call GitHub for a source-url.
    const githubApiUrl = sourceUrl
        ? env.GITHUB_API_URL || 'https://api.github.com'
        : (0,_parse_js__WEBPACK_IMPORTED_MODULE_6__/* .parseBaseUrl */ .Q2)('GITHUB_API_URL', env.GITHUB_API_URL || 'https://api.github.com');
    const githubServerUrl = (0,_parse_js__WEBPACK_IMPORTED_MODULE_6__/* .parseServerUrl */ .Ep)('GITHUB_SERVER_URL', env.GITHUB_SERVER_URL || 'https://github.com');
    return { ref, refFrom, workflow, repository, githubToken, githubApiUrl, githubServerUrl, sourceUrl };
}
/** The ref input, or what the workflow's event says to deploy when it is empty. */
function readRef(input, workflow, commitElsewhere) {
    if (input) {
        const ref = (0,_parse_js__WEBPACK_IMPORTED_MODULE_6__/* .parseRef */ .rd)(_inputs_js__WEBPACK_IMPORTED_MODULE_5__/* .INPUTS */ .mc.ref, input);
        if ((0,_lib_refs_js__WEBPACK_IMPORTED_MODULE_7__/* .canonicalRef */ .SV)(ref).kind === 'pull') {
            throw new _lib_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .InputError */ .dz(_inputs_js__WEBPACK_IMPORTED_MODULE_5__/* .INPUTS */ .mc.ref, `${(0,_lib_text_js__WEBPACK_IMPORTED_MODULE_2__/* .quote */ .hD)(ref)} is a pull request ref: its head or merge commit is not a release, and GitHub serves commits from forks under the repository's own name; give a tag, branch or commit SHA`);
        }
        return { ref, refFrom: 'input' };
    }
    if (!commitElsewhere && EVENTS_NEEDING_A_REF.includes(workflow.event)) {
        throw new _lib_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .InputError */ .dz(_inputs_js__WEBPACK_IMPORTED_MODULE_5__/* .INPUTS */ .mc.ref, `is empty, and on ${workflow.event} GITHUB_SHA is the base branch's commit, not the pull request's code: give the ref to deploy explicitly`);
    }
    if (!commitElsewhere && workflow.event === 'workflow_run')
        return { ref: '', refFrom: 'workflow-run' };
    const ref = workflow.sha;
    if (ref === '' && !commitElsewhere)
        throw new _lib_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .InputError */ .dz(_inputs_js__WEBPACK_IMPORTED_MODULE_5__/* .INPUTS */ .mc.ref, 'is empty and GITHUB_SHA is not set; give a tag, branch or commit SHA');
    if (ref && !(0,_lib_refs_js__WEBPACK_IMPORTED_MODULE_7__/* .isFullSha */ .Wf)(ref))
        throw new _lib_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .InputError */ .dz(_inputs_js__WEBPACK_IMPORTED_MODULE_5__/* .INPUTS */ .mc.ref, `is empty and GITHUB_SHA (${(0,_lib_text_js__WEBPACK_IMPORTED_MODULE_2__/* .quote */ .hD)(ref)}) is not a commit SHA`);
    return { ref, refFrom: 'workflow' };
}
function readPromotion(get, target, source) {
    const promoteApp = get(_inputs_js__WEBPACK_IMPORTED_MODULE_5__/* .INPUTS */ .mc.promoteFrom);
    if (!promoteApp) {
        if (get(_inputs_js__WEBPACK_IMPORTED_MODULE_5__/* .INPUTS */ .mc.promoteFromApiToken) || get(_inputs_js__WEBPACK_IMPORTED_MODULE_5__/* .INPUTS */ .mc.promoteFromRegion)) {
            throw new _lib_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .InputError */ .dz(_inputs_js__WEBPACK_IMPORTED_MODULE_5__/* .INPUTS */ .mc.promoteFrom, 'is needed when promote-from-api-token or promote-from-region is set');
        }
        return {};
    }
    const app = (0,_parse_js__WEBPACK_IMPORTED_MODULE_6__/* .parseAppName */ .QV)(_inputs_js__WEBPACK_IMPORTED_MODULE_5__/* .INPUTS */ .mc.promoteFrom, promoteApp);
    if (app === target.app)
        throw new _lib_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .InputError */ .dz(_inputs_js__WEBPACK_IMPORTED_MODULE_5__/* .INPUTS */ .mc.promoteFrom, 'must be another app than app');
    const apiToken = (0,_parse_js__WEBPACK_IMPORTED_MODULE_6__/* .parseToken */ .pI)(_inputs_js__WEBPACK_IMPORTED_MODULE_5__/* .INPUTS */ .mc.promoteFromApiToken, get(_inputs_js__WEBPACK_IMPORTED_MODULE_5__/* .INPUTS */ .mc.promoteFromApiToken) || target.apiToken);
    const region = (0,_parse_js__WEBPACK_IMPORTED_MODULE_6__/* .parseRegionName */ .bC)(_inputs_js__WEBPACK_IMPORTED_MODULE_5__/* .INPUTS */ .mc.promoteFromRegion, get(_inputs_js__WEBPACK_IMPORTED_MODULE_5__/* .INPUTS */ .mc.promoteFromRegion) || target.region, _scalingo_regions_js__WEBPACK_IMPORTED_MODULE_3__/* .KNOWN_REGIONS */ .Qu);
    let apiUrl = target.apiUrl;
    if (region !== target.region) {
        if (!(0,_scalingo_regions_js__WEBPACK_IMPORTED_MODULE_3__/* .isKnownRegion */ .Kk)(region)) {
            throw new _lib_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .InputError */ .dz(_inputs_js__WEBPACK_IMPORTED_MODULE_5__/* .INPUTS */ .mc.promoteFromRegion, `${(0,_lib_text_js__WEBPACK_IMPORTED_MODULE_2__/* .quote */ .hD)(region)} is not a known region (${_scalingo_regions_js__WEBPACK_IMPORTED_MODULE_3__/* .KNOWN_REGIONS */ .Qu.join(', ')})`);
        }
        apiUrl = (0,_scalingo_regions_js__WEBPACK_IMPORTED_MODULE_3__/* .regionApiUrl */ .Oi)(region);
    }
    if (get(_inputs_js__WEBPACK_IMPORTED_MODULE_5__/* .INPUTS */ .mc.ref))
        throw new _lib_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .InputError */ .dz(_inputs_js__WEBPACK_IMPORTED_MODULE_5__/* .INPUTS */ .mc.ref, 'cannot be combined with promote-from (the commit comes from the promoted app)');
    if (source.sourceUrl)
        throw new _lib_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .InputError */ .dz(_inputs_js__WEBPACK_IMPORTED_MODULE_5__/* .INPUTS */ .mc.sourceUrl, 'cannot be combined with promote-from');
    return { promoteFrom: { app, apiToken, region, apiUrl } };
}
function readArchive(get, workspace, exclusive) {
    const transfer = (0,_parse_js__WEBPACK_IMPORTED_MODULE_6__/* .parseChoice */ .HU)(_inputs_js__WEBPACK_IMPORTED_MODULE_5__/* .INPUTS */ .mc.archiveTransfer, get(_inputs_js__WEBPACK_IMPORTED_MODULE_5__/* .INPUTS */ .mc.archiveTransfer), ['auto', 'url', 'upload']);
    const archiveInput = get(_inputs_js__WEBPACK_IMPORTED_MODULE_5__/* .INPUTS */ .mc.archivePath);
    if (!archiveInput)
        return { archiveTransfer: transfer };
    (0,_parse_js__WEBPACK_IMPORTED_MODULE_6__/* .singleLine */ .pF)(_inputs_js__WEBPACK_IMPORTED_MODULE_5__/* .INPUTS */ .mc.archivePath, archiveInput);
    if (exclusive.sourceUrl)
        throw new _lib_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .InputError */ .dz(_inputs_js__WEBPACK_IMPORTED_MODULE_5__/* .INPUTS */ .mc.archivePath, 'cannot be combined with source-url');
    if (exclusive.promoting)
        throw new _lib_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .InputError */ .dz(_inputs_js__WEBPACK_IMPORTED_MODULE_5__/* .INPUTS */ .mc.archivePath, 'cannot be combined with promote-from');
    return { archivePath: (0,node_path__WEBPACK_IMPORTED_MODULE_0__.resolve)(workspace, archiveInput), archiveTransfer: transfer };
}
function readBehaviour(get, workspace) {
    const wait = (0,_parse_js__WEBPACK_IMPORTED_MODULE_6__/* .parseBoolean */ .yG)(_inputs_js__WEBPACK_IMPORTED_MODULE_5__/* .INPUTS */ .mc.wait, get(_inputs_js__WEBPACK_IMPORTED_MODULE_5__/* .INPUTS */ .mc.wait), true);
    const timeoutSeconds = (0,_parse_js__WEBPACK_IMPORTED_MODULE_6__/* .parseDuration */ .E9)(_inputs_js__WEBPACK_IMPORTED_MODULE_5__/* .INPUTS */ .mc.timeout, get(_inputs_js__WEBPACK_IMPORTED_MODULE_5__/* .INPUTS */ .mc.timeout) || DEFAULT_TIMEOUT);
    const force = (0,_parse_js__WEBPACK_IMPORTED_MODULE_6__/* .parseBoolean */ .yG)(_inputs_js__WEBPACK_IMPORTED_MODULE_5__/* .INPUTS */ .mc.force, get(_inputs_js__WEBPACK_IMPORTED_MODULE_5__/* .INPUTS */ .mc.force), false);
    const dryRun = (0,_parse_js__WEBPACK_IMPORTED_MODULE_6__/* .parseBoolean */ .yG)(_inputs_js__WEBPACK_IMPORTED_MODULE_5__/* .INPUTS */ .mc.dryRun, get(_inputs_js__WEBPACK_IMPORTED_MODULE_5__/* .INPUTS */ .mc.dryRun), false);
    const envFile = get(_inputs_js__WEBPACK_IMPORTED_MODULE_5__/* .INPUTS */ .mc.envFile) || undefined;
    const variables = (0,_dotenv_js__WEBPACK_IMPORTED_MODULE_4__/* .parseVariableLines */ .fu)(get(_inputs_js__WEBPACK_IMPORTED_MODULE_5__/* .INPUTS */ .mc.variables), _inputs_js__WEBPACK_IMPORTED_MODULE_5__/* .INPUTS */ .mc.variables);
    const environment = get(_inputs_js__WEBPACK_IMPORTED_MODULE_5__/* .INPUTS */ .mc.environment) || undefined;
    if (environment !== undefined) {
        (0,_parse_js__WEBPACK_IMPORTED_MODULE_6__/* .singleLine */ .pF)(_inputs_js__WEBPACK_IMPORTED_MODULE_5__/* .INPUTS */ .mc.environment, environment);
        if (environment.length > 255)
            throw new _lib_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .InputError */ .dz(_inputs_js__WEBPACK_IMPORTED_MODULE_5__/* .INPUTS */ .mc.environment, 'must be at most 255 characters');
    }
    const healthCheck = readHealthCheck(get);
    const rollback = (0,_parse_js__WEBPACK_IMPORTED_MODULE_6__/* .parseBoolean */ .yG)(_inputs_js__WEBPACK_IMPORTED_MODULE_5__/* .INPUTS */ .mc.rollback, get(_inputs_js__WEBPACK_IMPORTED_MODULE_5__/* .INPUTS */ .mc.rollback), false);
    if (rollback && !healthCheck)
        throw new _lib_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .InputError */ .dz(_inputs_js__WEBPACK_IMPORTED_MODULE_5__/* .INPUTS */ .mc.rollback, 'needs health-check: a rollback follows a failed health check');
    if (healthCheck && !wait)
        throw new _lib_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .InputError */ .dz(_inputs_js__WEBPACK_IMPORTED_MODULE_5__/* .INPUTS */ .mc.healthCheck, 'needs wait: true (the app is checked once the deployment succeeded)');
    if (environment && !wait) {
        throw new _lib_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .InputError */ .dz(_inputs_js__WEBPACK_IMPORTED_MODULE_5__/* .INPUTS */ .mc.environment, 'needs wait: true: without following the deployment, its GitHub deployment could never be finished');
    }
    return { wait, timeoutSeconds, force, dryRun, envFile, variables, environment, workspace, healthCheck, rollback };
}
/** `health-check`: a path on the app's URL (`/health`) or a full https URL; no credentials. */
function readHealthCheck(get) {
    const value = get(_inputs_js__WEBPACK_IMPORTED_MODULE_5__/* .INPUTS */ .mc.healthCheck).trim();
    const timeoutSeconds = (0,_parse_js__WEBPACK_IMPORTED_MODULE_6__/* .parseDuration */ .E9)(_inputs_js__WEBPACK_IMPORTED_MODULE_5__/* .INPUTS */ .mc.healthCheckTimeout, get(_inputs_js__WEBPACK_IMPORTED_MODULE_5__/* .INPUTS */ .mc.healthCheckTimeout) || DEFAULT_HEALTH_CHECK_TIMEOUT);
    if (!value)
        return undefined;
    (0,_parse_js__WEBPACK_IMPORTED_MODULE_6__/* .singleLine */ .pF)(_inputs_js__WEBPACK_IMPORTED_MODULE_5__/* .INPUTS */ .mc.healthCheck, value);
    if (value.startsWith('/')) {
        if (value.startsWith('//') || /\s/.test(value))
            throw new _lib_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .InputError */ .dz(_inputs_js__WEBPACK_IMPORTED_MODULE_5__/* .INPUTS */ .mc.healthCheck, 'must be a path like /health, or an https:// URL');
        return { path: value, timeoutSeconds };
    }
    const url = (0,_parse_js__WEBPACK_IMPORTED_MODULE_6__/* .parseHttpsUrl */ .mX)(_inputs_js__WEBPACK_IMPORTED_MODULE_5__/* .INPUTS */ .mc.healthCheck, value, 'a path like /health, or an https:// URL');
    (0,_parse_js__WEBPACK_IMPORTED_MODULE_6__/* .refuseCredentials */ .X7)(_inputs_js__WEBPACK_IMPORTED_MODULE_5__/* .INPUTS */ .mc.healthCheck, new URL(url));
    return { url, timeoutSeconds };
}
/** Builds `Settings` from the inputs and the workflow's environment, or throws an `InputError` naming the input. */
function readSettings(get, env) {
    const workspace = env.GITHUB_WORKSPACE || process.cwd();
    const target = readTarget(get);
    const source = readSource(get, env);
    const behaviour = readBehaviour(get, workspace);
    const promotion = readPromotion(get, target, source);
    const archive = readArchive(get, workspace, {
        sourceUrl: source.sourceUrl,
        promoting: promotion.promoteFrom !== undefined
    });
    // Any GitHub request carries the GitHub token: its URL is checked whenever one may happen.
    if (source.sourceUrl && (behaviour.rollback || behaviour.environment))
        source.githubApiUrl = (0,_parse_js__WEBPACK_IMPORTED_MODULE_6__/* .parseBaseUrl */ .Q2)('GITHUB_API_URL', source.githubApiUrl);
    return { ...target, ...source, ...behaviour, ...promotion, ...archive };
}


/***/ }),

/***/ 6551:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   Av: () => (/* binding */ liveDeployment),
/* harmony export */   CC: () => (/* binding */ inFlight),
/* harmony export */   Ot: () => (/* binding */ RECENT),
/* harmony export */   p2: () => (/* binding */ readAppState)
/* harmony export */ });
/* harmony import */ var _lib_log_js__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(1025);
/* harmony import */ var _lib_errors_js__WEBPACK_IMPORTED_MODULE_1__ = __nccwpck_require__(7268);
/* harmony import */ var _scalingo_statuses_js__WEBPACK_IMPORTED_MODULE_2__ = __nccwpck_require__(7178);



/** How many deployments are read: the first page, as large as Scalingo's pages go. */
const RECENT = 50;
/** Deployments queued or running on the app, newest first. */
function inFlight(recent) {
    return recent.filter(d => (0,_scalingo_statuses_js__WEBPACK_IMPORTED_MODULE_2__/* .isRunning */ .W_)(d.status));
}
/** The deployment that runs on the app now, from its `last_deployment_id` (found among `recent`, else read). */
async function liveDeployment(client, app, recent) {
    const id = app.last_deployment_id;
    if (!id)
        return undefined;
    const found = recent?.find(d => d.id === id);
    if (found)
        return found;
    try {
        return await client.getDeployment(id);
    }
    catch (err) {
        _lib_log_js__WEBPACK_IMPORTED_MODULE_0__/* .debug */ .Yz(`could not read the live deployment ${id}: ${(0,_lib_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .describeError */ .Uc)(err)}`);
        return undefined;
    }
}
async function readAppState(client, app) {
    let recent;
    let listError;
    try {
        recent = await client.listDeployments(RECENT);
    }
    catch (err) {
        listError = (0,_lib_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .describeError */ .Uc)(err);
    }
    return { live: await liveDeployment(client, app, recent), recent, listError };
}


/***/ }),

/***/ 6677:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   N: () => (/* binding */ BuildLog)
/* harmony export */ });
/* unused harmony export TAIL_SIZE */
/* harmony import */ var node_os__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(8161);
/* harmony import */ var node_os__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__nccwpck_require__.n(node_os__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var _lib_secrets_js__WEBPACK_IMPORTED_MODULE_1__ = __nccwpck_require__(5714);
/* harmony import */ var _lib_text_js__WEBPACK_IMPORTED_MODULE_2__ = __nccwpck_require__(9112);
/* harmony import */ var _report_log_js__WEBPACK_IMPORTED_MODULE_3__ = __nccwpck_require__(1973);
/* harmony import */ var _lines_js__WEBPACK_IMPORTED_MODULE_4__ = __nccwpck_require__(436);





/**
 * The deployment's build output as printed: each line of the authoritative
 * log once, in order, by its index in that log. Wherever a line comes from
 * (a stream connection, the output endpoint), it is printed only when it is
 * the next one. A fingerprint of every printed line is kept (4 bytes each),
 * so a replaying stream can be told from one that is not; the text itself is
 * not, so a 50 MB log costs no memory.
 *
 * Lines are written as data: inside `::stop-commands::<token>` fences, in
 * a collapsed group, in batches, and never faster than stdout drains.
 */
const TAIL_SIZE = 30;
/** Lines arriving within this window are printed as one batch. */
const BATCH_MS = 50;
const BATCH_CHARS = 32 * 1024;
class BuildLog {
    out;
    title;
    /** Lines of the authoritative log printed so far: the index of the next one. */
    printed = 0;
    hashes = new Uint32Array(1024);
    tail = [];
    groupOpen = false;
    pending = [];
    pendingChars = 0;
    timer;
    waitingForDrain;
    /** The deployment's status, named in the group title. */
    status = '';
    /** `title`: the collapsed group's name (a build log, a one-off's output). */
    constructor(out = process.stdout, title = 'Build output') {
        this.out = out;
        this.title = title;
    }
    /** Prints the line at `index` of the log if it is the next one; false when it was printed already or lies ahead. */
    offer(index, line) {
        if (index !== this.printed)
            return false;
        this.print(line);
        return true;
    }
    /** The fingerprint of the printed line at `index`. */
    hashAt(index) {
        return this.hashes[index];
    }
    lastLines() {
        return [...this.tail];
    }
    /** Resolves once stdout can take more: callers that read the log wait here, so it never piles up in memory. */
    drained() {
        return this.waitingForDrain ?? Promise.resolve();
    }
    /** Whether stdout is behind: the stream is paused until it drains. */
    get backedUp() {
        return this.waitingForDrain !== undefined;
    }
    /** Prints what is batched, and closes the collapsed group so a status line shows at the top level. */
    closeGroup() {
        this.flush();
        if (this.groupOpen) {
            this.write(`::endgroup::${node_os__WEBPACK_IMPORTED_MODULE_0__.EOL}`);
            this.groupOpen = false;
        }
    }
    /** Prints the lines waiting in the batch. */
    flush() {
        clearTimeout(this.timer);
        this.timer = undefined;
        if (this.pending.length === 0)
            return;
        const lines = this.pending;
        this.pending = [];
        this.pendingChars = 0;
        let text = '';
        if (!this.groupOpen) {
            text += `::group::${(0,_lib_text_js__WEBPACK_IMPORTED_MODULE_2__/* .inert */ .tJ)(this.status ? `${this.title} (${this.status})` : this.title)}${node_os__WEBPACK_IMPORTED_MODULE_0__.EOL}`;
            this.groupOpen = true;
        }
        this.write(`${text}${(0,_report_log_js__WEBPACK_IMPORTED_MODULE_3__/* .asData */ .F8)(lines)}`);
    }
    print(line) {
        if (this.printed === this.hashes.length) {
            const grown = new Uint32Array(this.hashes.length * 2);
            grown.set(this.hashes);
            this.hashes = grown;
        }
        this.hashes[this.printed++] = (0,_lines_js__WEBPACK_IMPORTED_MODULE_4__/* .lineHash */ .Hw)(line);
        const shown = (0,_lib_secrets_js__WEBPACK_IMPORTED_MODULE_1__/* .scrub */ ._I)(line);
        this.tail.push(shown);
        if (this.tail.length > TAIL_SIZE)
            this.tail.shift();
        // Lines arriving together are printed together: one fence and one write per batch, not per line.
        this.pending.push(shown);
        this.pendingChars += shown.length + 1;
        if (this.pendingChars >= BATCH_CHARS)
            this.flush();
        else
            this.timer ??= setTimeout(() => this.flush(), BATCH_MS);
    }
    write(text) {
        if (this.out.write(text) || this.waitingForDrain)
            return;
        this.waitingForDrain = new Promise(resolve => this.out.once('drain', () => {
            this.waitingForDrain = undefined;
            resolve();
        }));
    }
}


/***/ }),

/***/ 834:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   Ep: () => (/* binding */ conclude),
/* harmony export */   KW: () => (/* binding */ cancelled)
/* harmony export */ });
/* unused harmony exports githubDeploymentState, githubDeploymentDescription */
/* harmony import */ var _lib_log_js__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(1025);
/* harmony import */ var _scalingo_statuses_js__WEBPACK_IMPORTED_MODULE_1__ = __nccwpck_require__(7178);


/** The end of every run, success or not: the GitHub deployment's last status, what the HTTP layer saw, and its sockets closed. */
/** The GitHub deployment's last state, from what happened; undefined leaves it in progress (not waited for). */
function githubDeploymentState(report) {
    if (report.health === 'failed')
        return 'failure';
    if (report.status === 'success')
        return 'success';
    if (report.status && (0,_scalingo_statuses_js__WEBPACK_IMPORTED_MODULE_1__/* .hasFailed */ .WN)(report.status) && !report.timedOut)
        return 'failure';
    return report.waited ? 'error' : undefined;
}
/** The GitHub deployment's last words. */
function githubDeploymentDescription(report) {
    if (report.health === 'failed') {
        return report.rolledBack ? `Health check failed; rolled back to ${report.previousSha}` : 'Health check failed';
    }
    return `Scalingo ${report.status ?? 'failed'}`;
}
/** A run cut short (cancelled, or an unexpected failure): its GitHub deployment ends `error`, then the sockets close. */
async function cancelled(ctx) {
    if (ctx.githubDeployment?.created) {
        ctx.http.deadline = Math.max(ctx.http.deadline ?? 0, ctx.clock.now() + 5_000);
        const description = ctx.report.error?.startsWith('cancelled') ? 'cancelled' : 'the action failed unexpectedly';
        await ctx.githubDeployment.recordStatus('error', { environmentUrl: ctx.report.appUrl, description });
    }
    ctx.http.dispose();
}
async function conclude(ctx) {
    const { http, report } = ctx;
    _lib_log_js__WEBPACK_IMPORTED_MODULE_0__/* .debug */ .Yz(`${http.requestCount} requests made`);
    if (http.rateLimited > 0) {
        _lib_log_js__WEBPACK_IMPORTED_MODULE_0__/* .info */ .pq(`(Scalingo answered 429 ${http.rateLimited} times: an account gets about 60 API requests a minute; in a matrix, lower max-parallel)`);
    }
    const state = githubDeploymentState(report);
    if (ctx.githubDeployment?.created && state) {
        // The record is finished even when the run ended at the timeout.
        http.deadline = Math.max(http.deadline ?? 0, ctx.clock.now() + 10_000);
        await ctx.githubDeployment.recordStatus(state, {
            environmentUrl: report.appUrl,
            description: githubDeploymentDescription(report)
        });
    }
    http.dispose();
}


/***/ }),

/***/ 2088:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   f: () => (/* binding */ actionHttp),
/* harmony export */   q: () => (/* binding */ createContext)
/* harmony export */ });
/* harmony import */ var _lib_log_js__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(1025);
/* harmony import */ var _github_client_js__WEBPACK_IMPORTED_MODULE_1__ = __nccwpck_require__(6584);
/* harmony import */ var _lib_clock_js__WEBPACK_IMPORTED_MODULE_2__ = __nccwpck_require__(4517);
/* harmony import */ var _lib_http_js__WEBPACK_IMPORTED_MODULE_3__ = __nccwpck_require__(1931);
/* harmony import */ var _lib_version_js__WEBPACK_IMPORTED_MODULE_5__ = __nccwpck_require__(7471);
/* harmony import */ var _scalingo_client_js__WEBPACK_IMPORTED_MODULE_4__ = __nccwpck_require__(8211);






/** The HTTP layer every action's requests go through: our User-Agent, its retries told in the log, ending by `deadline`. */
function actionHttp(clock, deadline) {
    const http = new _lib_http_js__WEBPACK_IMPORTED_MODULE_3__/* .Http */ .lw({
        userAgent: _lib_version_js__WEBPACK_IMPORTED_MODULE_5__/* .USER_AGENT */ ._,
        clock,
        onRetry: ({ attempt, delayMs, reason }) => _lib_log_js__WEBPACK_IMPORTED_MODULE_0__/* .info */ .pq(`(${reason}; retrying in ${(0,_lib_clock_js__WEBPACK_IMPORTED_MODULE_2__/* .formatDuration */ .a3)(delayMs)}, attempt ${attempt + 1})`)
    });
    // Every request, not only the follow loop, ends by the timeout.
    http.deadline = deadline;
    return http;
}
function createContext(settings, env, clock, report, startedAt, 
/** The HTTP layer of an action that made requests before these stages (the review app's). */
shared) {
    const deadline = startedAt + settings.timeoutSeconds * 1000;
    const http = shared ?? actionHttp(clock, deadline);
    _lib_log_js__WEBPACK_IMPORTED_MODULE_0__/* .debug */ .Yz(`settings: app=${settings.app} region=${settings.region} api-url=${settings.apiUrl} auth-url=${settings.authUrl} ` +
        `ref=${settings.ref || '(none)'} wait=${settings.wait} timeout=${settings.timeoutSeconds}s github-api=${settings.githubApiUrl}`);
    Object.assign(report, { app: settings.app, region: settings.region, waited: settings.wait });
    if (env.NODE_TLS_REJECT_UNAUTHORIZED === '0') {
        _lib_log_js__WEBPACK_IMPORTED_MODULE_0__/* .warning */ .$e('NODE_TLS_REJECT_UNAUTHORIZED=0 is set in the job environment: TLS certificates are not checked, and the API token is sent anyway; unset it');
    }
    const { app, region, apiUrl, authUrl, apiToken } = settings;
    const scalingo = new _scalingo_client_js__WEBPACK_IMPORTED_MODULE_4__/* .ScalingoClient */ .GK(http, { app, region, apiUrl, authUrl, apiToken, clock });
    const github = new _github_client_js__WEBPACK_IMPORTED_MODULE_1__/* .GitHubClient */ .j(http, { apiUrl: settings.githubApiUrl, token: settings.githubToken });
    return { settings, env, clock, startedAt, deadline, http, scalingo, github, report };
}


/***/ }),

/***/ 5947:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   X2: () => (/* binding */ isAmbiguous),
/* harmony export */   tb: () => (/* binding */ createDeploymentOnce)
/* harmony export */ });
/* unused harmony export findOurs */
/* harmony import */ var _lib_log_js__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(1025);
/* harmony import */ var _lib_errors_js__WEBPACK_IMPORTED_MODULE_1__ = __nccwpck_require__(7268);
/* harmony import */ var _scalingo_client_js__WEBPACK_IMPORTED_MODULE_2__ = __nccwpck_require__(8211);



/**
 * Creates the deployment, at most once per run. When the POST's fate is
 * unknown (the connection dropped after sending or while the answer was
 * read, a 5xx, or a success we cannot read), we look the deployment up
 * rather than post again.
 */
/**
 * Clock skew allowed between the runner and Scalingo: a deployment with our
 * git_ref created more than this before we posted is an earlier run's.
 */
const SKEW_MS = 60 * 1000;
/**
 * An answer that does not tell whether Scalingo created the deployment: no
 * answer, a gateway error, or a success we cannot read.
 */
function isAmbiguous(err) {
    return (0,_lib_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .mayHaveBeenProcessed */ .uZ)(err) || err instanceof _scalingo_client_js__WEBPACK_IMPORTED_MODULE_2__/* .MalformedAnswerError */ .Sz;
}
/**
 * The newest listed deployment with our git_ref created since we posted
 * (allowing for clock skew) that did not exist before: another run's
 * deployment of the same commit is never taken for ours.
 */
function findOurs(list, gitRef, since, knownIds) {
    // Without the list from before the POST, a deployment of this commit cannot be told from another run's.
    if (gitRef === null || knownIds === undefined)
        return undefined;
    return list.find(d => {
        if (d.git_ref !== gitRef || knownIds?.has(d.id))
            return false;
        const created = d.created_at ? Date.parse(d.created_at) : NaN;
        return !Number.isNaN(created) && created >= since - SKEW_MS;
    });
}
/** The lookups after an unclear answer may run this long past the timeout: the deployment may exist. */
const LOOKUP_GRACE_MS = 15_000;
async function createDeploymentOnce(client, gitRef, sourceUrl, opts) {
    const { clock } = opts;
    if (clock.now() >= opts.deadline) {
        throw new _lib_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .ActionError */ .lZ('the timeout was reached before the deployment could be created; nothing was created', 'raise timeout');
    }
    const postedAt = clock.now();
    try {
        return { deployment: await client.createDeployment(gitRef, sourceUrl), recovered: false };
    }
    catch (err) {
        if (!isAmbiguous(err))
            throw err;
        if (!opts.knownIds) {
            throw new _lib_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .ActionError */ .lZ(`the deployment request got no clear answer (${(0,_lib_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .describeError */ .Uc)(err)}), and the app's deployments could not be read before it: a deployment of this commit on the app now cannot be told from another run's, so none is taken for ours`, 'nothing was posted twice; check the app dashboard, then run the workflow again');
        }
        _lib_log_js__WEBPACK_IMPORTED_MODULE_0__/* .warning */ .$e(`The deployment request got no clear answer (${(0,_lib_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .describeError */ .Uc)(err)}); looking for it instead of posting again`);
    }
    // Give Scalingo a moment to list what it may have created.
    for (const waitMs of [0, 2000, 5000]) {
        if (waitMs)
            await clock.sleep(waitMs);
        let list;
        try {
            list = await client.listDeployments(20, { graceMs: LOOKUP_GRACE_MS });
        }
        catch (err) {
            _lib_log_js__WEBPACK_IMPORTED_MODULE_0__/* .warning */ .$e(`Could not list the app's deployments: ${(0,_lib_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .describeError */ .Uc)(err)}`);
            continue;
        }
        const ours = findOurs(list, gitRef, postedAt, opts.knownIds);
        if (ours) {
            _lib_log_js__WEBPACK_IMPORTED_MODULE_0__/* .info */ .pq(`Found the deployment the request created: ${ours.id}`);
            return { deployment: ours, recovered: true };
        }
    }
    throw new _lib_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .ActionError */ .lZ('the deployment request got no clear answer and no matching deployment appeared on the app', 'nothing was posted twice; check the app dashboard, then run the workflow again');
}


/***/ }),

/***/ 19:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {


// EXPORTS
__nccwpck_require__.d(__webpack_exports__, {
  Y: () => (/* binding */ createDeployment),
  c: () => (/* binding */ deliver)
});

// EXTERNAL MODULE: ./src/lib/log.ts
var log = __nccwpck_require__(1025);
// EXTERNAL MODULE: ./src/github/deployments.ts
var deployments = __nccwpck_require__(6887);
// EXTERNAL MODULE: ./src/lib/errors.ts
var errors = __nccwpck_require__(7268);
// EXTERNAL MODULE: ./src/stages/appstate.ts
var appstate = __nccwpck_require__(6551);
// EXTERNAL MODULE: ./src/lib/urls.ts
var urls = __nccwpck_require__(1281);
// EXTERNAL MODULE: ./node_modules/@actions/http-client/lib/index.js + 1 modules
var lib = __nccwpck_require__(4942);
// EXTERNAL MODULE: ./node_modules/ws/lib/stream.js
var stream = __nccwpck_require__(6412);
// EXTERNAL MODULE: ./node_modules/ws/lib/extension.js
var extension = __nccwpck_require__(1335);
// EXTERNAL MODULE: ./node_modules/ws/lib/permessage-deflate.js
var permessage_deflate = __nccwpck_require__(4376);
// EXTERNAL MODULE: ./node_modules/ws/lib/receiver.js
var receiver = __nccwpck_require__(893);
// EXTERNAL MODULE: ./node_modules/ws/lib/sender.js
var sender = __nccwpck_require__(7389);
// EXTERNAL MODULE: ./node_modules/ws/lib/subprotocol.js
var subprotocol = __nccwpck_require__(3332);
// EXTERNAL MODULE: ./node_modules/ws/lib/websocket.js
var websocket = __nccwpck_require__(6681);
// EXTERNAL MODULE: ./node_modules/ws/lib/websocket-server.js
var websocket_server = __nccwpck_require__(129);
;// CONCATENATED MODULE: ./node_modules/ws/wrapper.mjs











/* harmony default export */ const wrapper = (websocket);

// EXTERNAL MODULE: ./src/lib/text.ts
var lib_text = __nccwpck_require__(9112);
;// CONCATENATED MODULE: ./src/scalingo/stream.ts






/** The Origin header Scalingo's Go client sends. */
const STREAM_ORIGIN = 'http://scalingo-cli.local/1';
/** Parses one frame; both shapes of `new` (object or bare id), `status`/`Status`. */
function parseStreamFrame(text) {
    let f;
    try {
        f = JSON.parse(text);
    }
    catch {
        return undefined;
    }
    if (!f || typeof f !== 'object')
        return undefined;
    const o = f;
    const data = (o.data && typeof o.data === 'object' ? o.data : {});
    const id = typeof o.id === 'string' ? o.id : undefined;
    switch (o.type) {
        case 'ping':
            return { type: 'ping' };
        case 'log':
            if (!id || typeof data.content !== 'string')
                return undefined;
            return { type: 'log', id, content: data.content };
        case 'status': {
            const status = typeof data.status === 'string' ? data.status : typeof data.Status === 'string' ? data.Status : undefined;
            if (!id || !status)
                return undefined;
            // A status that is not one (line breaks, commands) is shown quoted, and counts as unknown: a failure.
            return { type: 'status', id, status: (0,lib_text/* statusLabel */.Rh)(status) };
        }
        case 'new': {
            // Go client: {"deployment": {...}}; docs and JS client: {"deployment": "<id>"} or a bare id.
            const dep = data.deployment;
            const newId = typeof o.data === 'string' ? o.data : typeof dep === 'string' ? dep : typeof dep?.id === 'string' ? dep.id : id;
            return newId ? { type: 'new', id: newId } : undefined;
        }
        default:
            return { type: 'other', raw: text.slice(0, 200) };
    }
}
/**
 * The bearer goes to the stream only over wss (plain ws to loopback, for
 * tests), and only to the API's own host or, for Scalingo's known regions,
 * a host under scalingo.com: an answer cannot send it elsewhere.
 */
function streamUrlAllowed(url, apiUrl, knownRegion) {
    return (0,urls/* bearerUrlProblem */.cL)(url, apiUrl, { scheme: 'wss', underScalingo: knownRegion }) === undefined;
}
/** Log frames are a line or a few: a frame larger than this is not one (ws refuses it and closes). */
const MAX_FRAME_BYTES = 4 * 1024 * 1024;
class DeploymentStream {
    opts;
    handlers;
    ws;
    stopped = false;
    paused = false;
    failures = 0;
    connection = 0;
    silenceTimer;
    retryTimer;
    healthy = false;
    /** No more tries: polling only from now on. */
    gaveUp = false;
    /** Why the last connection ended (for the log). */
    lastFailure;
    constructor(opts, handlers) {
        this.opts = opts;
        this.handlers = handlers;
    }
    /** Hands the events to someone else from now on (the follower, once the deployment exists). */
    setHandlers(handlers) {
        this.handlers = handlers;
    }
    start() {
        void this.connect();
    }
    stop() {
        this.stopped = true;
        clearTimeout(this.silenceTimer);
        clearTimeout(this.retryTimer);
        this.healthy = false;
        this.ws?.removeAllListeners();
        this.ws?.on('error', () => undefined);
        this.ws?.terminate();
    }
    /** Stops reading frames until resume(): stdout is behind, and the socket waits rather than memory filling. */
    pause() {
        this.paused = true;
        this.ws?.pause();
    }
    resume() {
        this.paused = false;
        this.ws?.resume();
    }
    async connect() {
        if (this.stopped)
            return;
        const conn = ++this.connection;
        let token;
        try {
            token = await this.opts.bearer();
        }
        catch (err) {
            return this.failed(`no bearer: ${(0,errors/* describeError */.Uc)(err)}`);
        }
        if (this.stopped)
            return;
        let ws;
        try {
            // A proxy-aware agent, as for every other request (HTTPS_PROXY/NO_PROXY).
            const agent = new lib/* HttpClient */.Qq(this.opts.userAgent).getAgent(this.opts.url.replace(/^ws/, 'http'));
            ws = new wrapper(this.opts.url, {
                origin: STREAM_ORIGIN,
                headers: { 'User-Agent': this.opts.userAgent },
                agent,
                handshakeTimeout: 10_000,
                perMessageDeflate: false,
                maxPayload: MAX_FRAME_BYTES
            });
        }
        catch (err) {
            this.failures = this.opts.maxFailures ?? 3;
            return this.failed(`cannot connect: ${(0,errors/* describeError */.Uc)(err)}`);
        }
        this.ws = ws;
        if (this.paused)
            ws.pause();
        this.listen(ws, conn, token);
    }
    listen(ws, conn, token) {
        let gotFrame = false;
        ws.on('open', () => {
            ws.send(JSON.stringify({ type: 'auth', data: { token } }));
            this.armSilence(ws);
            this.handlers.onState?.('open', conn);
        });
        ws.on('message', (data, isBinary) => {
            if (isBinary)
                return;
            if (!gotFrame) {
                gotFrame = true;
                this.failures = 0;
                this.healthy = true;
                this.handlers.onState?.('up', conn);
            }
            this.armSilence(ws);
            const text = Buffer.isBuffer(data)
                ? data.toString('utf8')
                : Array.isArray(data)
                    ? Buffer.concat(data).toString('utf8')
                    : Buffer.from(data).toString('utf8');
            const event = parseStreamFrame(text);
            if (event)
                this.handlers.onEvent(event, conn);
        });
        ws.on('error', err => log/* debug */.Yz(`deployment stream error: ${(0,errors/* describeError */.Uc)(err)}`));
        ws.on('close', code => {
            clearTimeout(this.silenceTimer);
            if (this.ws === ws)
                this.ws = undefined;
            if (this.stopped)
                return;
            this.healthy = false;
            if (!gotFrame)
                this.failures++;
            this.failed(`closed (${code})`, conn);
        });
    }
    failed(why, conn = this.connection) {
        if (this.stopped)
            return;
        this.healthy = false;
        this.lastFailure = why;
        if (this.failures >= (this.opts.maxFailures ?? 3)) {
            this.gaveUp = true;
            this.handlers.onState?.('gave-up', conn, why);
            return;
        }
        this.handlers.onState?.('down', conn, why);
        // As the CLI does: wait a second, dial again, authenticate again.
        this.retryTimer = setTimeout(() => void this.connect(), this.opts.reconnectDelayMs ?? 1000);
    }
    armSilence(ws) {
        clearTimeout(this.silenceTimer);
        this.silenceTimer = setTimeout(() => {
            log/* debug */.Yz('deployment stream silent: reconnecting');
            ws.terminate();
        }, this.opts.silenceMs ?? 45_000);
    }
}

// EXTERNAL MODULE: ./src/scalingo/regions.ts
var regions = __nccwpck_require__(6487);
// EXTERNAL MODULE: ./src/stages/create.ts
var create = __nccwpck_require__(5947);
// EXTERNAL MODULE: ./src/lib/clock.ts
var clock = __nccwpck_require__(4517);
// EXTERNAL MODULE: ./src/lib/version.ts
var version = __nccwpck_require__(7471);
;// CONCATENATED MODULE: ./src/stages/livestream.ts




/**
 * The app's deployment stream, opened just before our deployment is
 * created. A connection already open then sees our deployment's log from
 * its first line, whether or not Scalingo replays old logs to a new
 * connection (undocumented): the follower can print its lines as they come.
 * Events that arrive before the follower takes over are kept for it, except
 * those of deployments that existed before ours.
 */
/**
 * Bytes of events kept before the follower takes over (a count would not
 * bound them: one frame may be 4 MiB); beyond, the early connection loses
 * its head start and the output endpoint fills in.
 */
const MAX_QUEUED_BYTES = 1024 * 1024;
/** What one kept event costs besides its text. */
const EVENT_OVERHEAD_BYTES = 64;
function eventBytes(event) {
    return EVENT_OVERHEAD_BYTES + (event.type === 'log' ? Buffer.byteLength(event.content) : 0);
}
class LiveStream {
    knownIds;
    stream;
    queue = [];
    queuedBytes = 0;
    openConnection;
    overflowed = false;
    /** The connection that was open before the deployment was created, if any. */
    openedBeforeCreation;
    opened;
    constructor(url, client, knownIds) {
        this.knownIds = knownIds;
        this.stream = new DeploymentStream({ url, bearer: () => client.bearer(), userAgent: version/* USER_AGENT */._ }, {
            onEvent: (event, connection) => this.queueEvent(event, connection),
            onState: (state, connection, why) => this.queueState(state, connection, why)
        });
    }
    /** Dials, and waits (at most `waitMs`) for the connection to open, so it is open before the deployment exists. */
    async open(waitMs) {
        const opened = new Promise(resolve => (this.opened = resolve));
        this.stream.start();
        await (0,clock/* beforeDeadline */.OJ)(opened, clock/* systemClock */.ml.now() + waitMs, clock/* systemClock */.ml, () => undefined);
    }
    /** Called the moment before the deployment is created. */
    creating() {
        if (!this.overflowed)
            this.openedBeforeCreation = this.openConnection;
    }
    /** The follower takes over: it gets what was kept, then every event as it comes. */
    attach(handlers) {
        this.stream.setHandlers(handlers);
        const queued = this.queue;
        this.queue = [];
        this.queuedBytes = 0;
        for (const { event, connection } of queued)
            handlers.onEvent(event, connection);
    }
    stop() {
        this.stream.stop();
    }
    queueEvent(event, connection) {
        if ((event.type === 'log' || event.type === 'status') && this.knownIds.has(event.id))
            return;
        if (event.type !== 'log' && event.type !== 'status')
            return;
        const bytes = eventBytes(event);
        if (this.overflowed || this.queuedBytes + bytes > MAX_QUEUED_BYTES) {
            // Once anything is lost, nothing more is kept: the queue is dropped whole.
            this.overflowed = true;
            this.openedBeforeCreation = undefined;
            this.queue = [];
            this.queuedBytes = 0;
            return;
        }
        this.queuedBytes += bytes;
        this.queue.push({ event, connection });
    }
    queueState(state, connection, why) {
        if (state === 'open') {
            this.openConnection = connection;
            this.opened?.();
        }
        else if (state === 'down' || state === 'gave-up') {
            if (this.openConnection === connection)
                this.openConnection = undefined;
            if (state === 'gave-up')
                log/* debug */.Yz(`deployment stream unavailable before the deployment was created: ${why}`);
        }
    }
}

// EXTERNAL MODULE: ./src/stages/transfer.ts
var stages_transfer = __nccwpck_require__(3316);
// EXTERNAL MODULE: ./src/stages/variables.ts
var stages_variables = __nccwpck_require__(282);
;// CONCATENATED MODULE: ./src/stages/wait.ts



/**
 * A source that expires (a signed GitHub URL lasts 5 minutes, a Scalingo
 * source 10) is handed over only when the app is free: Scalingo runs one
 * deployment of an app at a time, and whether it fetches the archive when
 * the deployment is created or when its build starts is undocumented.
 * Waits, bounded by the timeout, until no deployment is queued or running.
 */
/** How often the app's deployments are looked at while waiting (an account gets about 60 requests a minute): soon, then every 5 s. */
const WAIT_POLLS_MS = [2_000, 3_000, 5_000];
async function waitUntilFree(ctx, state) {
    const { clock, deadline, scalingo } = ctx;
    let busy = state.recent ? (0,appstate/* inFlight */.CC)(state.recent) : [];
    if (busy.length === 0)
        return;
    const first = busy[0];
    log/* info */.pq(`Waiting until deployment ${first.id} (${first.status}) ends before handing Scalingo an archive that expires: ` +
        `Scalingo runs one deployment of an app at a time, and ours could wait in the queue past the archive's expiry`);
    for (let i = 0; busy.length > 0; i++) {
        const pause = WAIT_POLLS_MS[Math.min(i, WAIT_POLLS_MS.length - 1)];
        if (clock.now() + pause >= deadline) {
            throw new errors/* ActionError */.lZ(`the app was still busy at the timeout (deployment ${busy[0].id} is ${busy[0].status}); nothing was created`, 'run the workflow again once it is done, or raise timeout');
        }
        await clock.sleep(pause);
        try {
            state.recent = await scalingo.listDeployments(appstate/* RECENT */.Ot);
            busy = (0,appstate/* inFlight */.CC)(state.recent);
        }
        catch (err) {
            log/* debug */.Yz(`could not list the app's deployments while waiting: ${(0,errors/* describeError */.Uc)(err)}`);
        }
    }
    log/* info */.pq('The app is free: handing over the archive now');
}

;// CONCATENATED MODULE: ./src/stages/deliver.ts












/** How long the stream may take to open before the deployment is created anyway. */
const STREAM_OPEN_WAIT_MS = 3_000;
async function deliver(ctx, prepared) {
    const { settings, report } = ctx;
    const { variables } = prepared;
    if (variables.diff) {
        const label = variables.envFile && settings.variables.length > 0
            ? 'env-file and variables'
            : variables.envFile
                ? 'env-file'
                : 'variables';
        report.variablesLabel = label;
        report.variables = await (0,stages_variables/* applyVariables */.gT)(ctx.scalingo, variables.wanted, variables.diff, label);
    }
    await recordGitHubDeployment(ctx, prepared);
    const delivered = await createDeployment(ctx, prepared, () => (report.stage = 'creating'));
    const { deployment } = delivered;
    report.stage = 'created';
    report.deploymentId = deployment.id;
    report.status = deployment.status;
    log/* info */.pq(`Created deployment ${deployment.id} of ${settings.app} (${settings.region}): ${deployment.status}`);
    return delivered;
}
/**
 * Hands the archive over and creates the deployment, at most once; the
 * stream is opened first when the deployment will be followed. Used for our
 * deployment and for a rollback.
 */
async function createDeployment(ctx, prepared, posting = () => undefined) {
    const { state } = prepared;
    const sourceUrl = await handOverArchive(ctx, prepared);
    // The deployments that exist before the POST tell ours from another run's after an unclear answer: read them once more if they could not be.
    if (!state.recent)
        state.recent = await readRecent(ctx);
    const before = state.recent ?? [];
    // Waiting for a free app refreshes state.recent: what appeared meanwhile is
    // another run's, never ours to adopt (nor to stream).
    const knownIds = new Set([...before, ...(state.recent ?? [])].map(d => d.id));
    const stream = ctx.settings.wait ? await openStream(ctx, prepared, knownIds) : undefined;
    stream?.creating();
    posting();
    try {
        const { deployment } = await (0,create/* createDeploymentOnce */.tb)(ctx.scalingo, prepared.source.gitRef, sourceUrl, {
            clock: ctx.clock,
            deadline: ctx.deadline,
            knownIds: state.recent ? knownIds : undefined
        });
        return { deployment, stream };
    }
    catch (err) {
        stream?.stop();
        throw err;
    }
}
/** The app's recent deployments, or undefined when they cannot be read. */
async function readRecent(ctx) {
    try {
        return await ctx.scalingo.listDeployments(appstate/* RECENT */.Ot);
    }
    catch (err) {
        log/* debug */.Yz(`could not list the app's deployments before creating ours: ${(0,errors/* describeError */.Uc)(err)}`);
        return undefined;
    }
}
/** `environment`: a GitHub deployment, in progress until the end of the run. */
async function recordGitHubDeployment(ctx, prepared) {
    const { settings, report, env } = ctx;
    if (!settings.environment || prepared.source.kind !== 'github')
        return;
    // A review app's deployments belong to the pull request's base repository, in a transient environment.
    const record = new deployments/* GitHubDeployment */.P(ctx.github, settings.reviewApp?.baseRepository ?? settings.repository, settings.environment, { transient: settings.reviewApp !== undefined });
    ctx.githubDeployment = record;
    await record.create(prepared.source.sha, `Scalingo ${settings.app} (${settings.region})`);
    report.githubDeployment = record.describe();
    const logUrl = env.GITHUB_RUN_ID && env.GITHUB_REPOSITORY
        ? `${settings.githubServerUrl}/${env.GITHUB_REPOSITORY}/actions/runs/${env.GITHUB_RUN_ID}`
        : undefined;
    await record.recordStatus('in_progress', { logUrl, description: `Deploying to Scalingo app ${settings.app}` });
}
/**
 * The URL Scalingo will fetch, made as late as possible: an archive that
 * expires is handed over only once the app is free to build it, and a
 * signed URL is never reused from earlier in the run.
 */
async function handOverArchive(ctx, prepared) {
    const { settings, report } = ctx;
    const { source, localArchive, transfer } = prepared;
    const bounds = { clock: ctx.clock, deadline: ctx.deadline };
    if (source.kind === 'url')
        return source.url ?? '';
    if (transfer === 'url' && source.visibility === 'public')
        return source.archiveUrl;
    const github = { github: ctx.github, repo: settings.repository, sha: source.sha };
    if (transfer === 'url') {
        await waitUntilFree(ctx, prepared.state);
        return ctx.github.signedTarballUrl(github.repo, github.sha);
    }
    try {
        const path = localArchive
            ? localArchive.path
            : (await (0,stages_transfer/* downloadArchive */.Z)(ctx.http, ctx.github, github.repo, github.sha, ctx.env.RUNNER_TEMP ?? '', bounds)).path;
        if ((0,stages_transfer/* sourceExpires */.C0)(source, transfer))
            await waitUntilFree(ctx, prepared.state);
        const uploaded = await (0,stages_transfer/* uploadArchive */.wG)(ctx.http, ctx.scalingo, path, bounds);
        report.transfer = `uploaded through Scalingo's sources API (${uploaded.bytes} bytes)`;
        if (localArchive)
            report.archiveUrl = (0,urls/* safeUrl */.Pl)(uploaded.downloadUrl);
        return uploaded.downloadUrl;
    }
    catch (err) {
        // auto: the upload is an improvement, not a requirement.
        if (localArchive || settings.archiveTransfer !== 'auto')
            throw err instanceof errors/* HttpError */.j$ ? ctx.scalingo.toActionError(err) : err;
        log/* warning */.$e(`${(0,stages_transfer/* uploadFailure */.al)(err)}: handing Scalingo the signed archive URL instead (minted now; it expires in minutes)`);
        report.transfer = 'signed URL handed to Scalingo (upload not possible)';
        await waitUntilFree(ctx, prepared.state);
        return ctx.github.signedTarballUrl(github.repo, github.sha);
    }
}
/** The app's deployment stream, opened (if allowed) before the deployment exists. */
async function openStream(ctx, prepared, knownIds) {
    const url = prepared.app.links?.deployments_stream;
    if (!url)
        return undefined;
    if (!streamUrlAllowed(url, ctx.settings.apiUrl, (0,regions/* isKnownRegion */.Kk)(ctx.settings.region))) {
        log/* warning */.$e(`The app's deployment stream link (${(0,urls/* safeUrl */.Pl)(url)}) is not wss on the API's host: not sending the bearer token there; following by polling`);
        return undefined;
    }
    const stream = new LiveStream(url, ctx.scalingo, knownIds);
    await stream.open(STREAM_OPEN_WAIT_MS);
    return stream;
}


/***/ }),

/***/ 3994:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   c: () => (/* binding */ followToEnd)
/* harmony export */ });
/* harmony import */ var _lib_clock_js__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(4517);
/* harmony import */ var _lib_errors_js__WEBPACK_IMPORTED_MODULE_1__ = __nccwpck_require__(7268);
/* harmony import */ var _lib_log_js__WEBPACK_IMPORTED_MODULE_2__ = __nccwpck_require__(1025);
/* harmony import */ var _report_log_js__WEBPACK_IMPORTED_MODULE_3__ = __nccwpck_require__(1973);
/* harmony import */ var _scalingo_regions_js__WEBPACK_IMPORTED_MODULE_4__ = __nccwpck_require__(6487);
/* harmony import */ var _scalingo_statuses_js__WEBPACK_IMPORTED_MODULE_5__ = __nccwpck_require__(7178);
/* harmony import */ var _buildlog_js__WEBPACK_IMPORTED_MODULE_6__ = __nccwpck_require__(6677);
/* harmony import */ var _follower_js__WEBPACK_IMPORTED_MODULE_7__ = __nccwpck_require__(3982);








/**
 * The follow stage: follows a deployment with its live log, then says how
 * it ended. A timeout or a failed deployment fails the run, with the status
 * in plain words and the most telling line of the build output. `role`:
 * our deployment (the report is written as it goes) or a rollback (told in
 * the log, judged by the caller).
 */
async function followToEnd(ctx, deployment, stream, role = 'deployment') {
    const { report, clock, startedAt } = ctx;
    const ours = role === 'deployment';
    const buildLog = new _buildlog_js__WEBPACK_IMPORTED_MODULE_6__/* .BuildLog */ .N();
    const result = await new _follower_js__WEBPACK_IMPORTED_MODULE_7__/* .Follower */ .fO({
        client: ctx.scalingo,
        deployment,
        deadline: ctx.deadline,
        clock,
        log: buildLog,
        stream,
        onStatus: (status, previous) => {
            if (ours)
                report.status = status;
            const at = (0,_lib_clock_js__WEBPACK_IMPORTED_MODULE_0__/* .formatDuration */ .a3)(clock.now() - startedAt);
            _lib_log_js__WEBPACK_IMPORTED_MODULE_2__/* .info */ .pq(`[${at}] ${ours ? '' : 'rollback: '}${previous ? `${previous} → ` : ''}${status}: ${(0,_scalingo_statuses_js__WEBPACK_IMPORTED_MODULE_5__/* .describeStatus */ .Wn)(status)}`);
        }
    }).run();
    _lib_log_js__WEBPACK_IMPORTED_MODULE_2__/* .debug */ .Yz(`followed with ${result.streamUsed ? 'the live stream' : 'polling only'}: ${result.polls} status polls, ` +
        `${result.outputFetches} output reads (${result.outputBytes} bytes), ${result.transientErrors} transient errors, ${buildLog.printed} log lines`);
    if (ours) {
        report.status = result.deployment.status;
        const duration = result.deployment.duration;
        report.durationSeconds = duration && duration > 0 ? duration : Math.round((clock.now() - startedAt) / 1000);
        report.timedOut = result.timedOut;
    }
    judge(ctx, result, ours);
    return result;
}
/** Throws when the deployment did not succeed: at the timeout, or with a failed status. */
function judge(ctx, result, ours) {
    const { settings, report } = ctx;
    const final = result.deployment;
    if (result.timedOut) {
        throw new _lib_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .ActionError */ .lZ(`deployment ${final.id} is still ${final.status} after ${(0,_lib_clock_js__WEBPACK_IMPORTED_MODULE_0__/* .formatDuration */ .a3)(settings.timeoutSeconds * 1000)} (the timeout); it was not cancelled`, `follow it with: ${(0,_scalingo_regions_js__WEBPACK_IMPORTED_MODULE_4__/* .followCommand */ .te)(settings.region, settings.app)}${report.dashboardUrl ? `, or on ${report.dashboardUrl}` : ''}`);
    }
    if ((0,_scalingo_statuses_js__WEBPACK_IMPORTED_MODULE_5__/* .hasFailed */ .WN)(final.status)) {
        const tail = result.tail;
        if (tail.length > 0) {
            if (ours)
                report.logTail = tail;
            _lib_log_js__WEBPACK_IMPORTED_MODULE_2__/* .info */ .pq(`Last ${tail.length} lines of the build output:`);
            (0,_report_log_js__WEBPACK_IMPORTED_MODULE_3__/* .printLines */ .tj)(tail);
        }
        const telling = (0,_report_log_js__WEBPACK_IMPORTED_MODULE_3__/* .mostTellingLine */ .Z4)(tail);
        throw new _lib_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .ActionError */ .lZ(`deployment ${final.id} ended with ${final.status}: ${(0,_scalingo_statuses_js__WEBPACK_IMPORTED_MODULE_5__/* .describeStatus */ .Wn)(final.status)}${telling ? ` — ${telling}` : ''}`, (0,_scalingo_statuses_js__WEBPACK_IMPORTED_MODULE_5__/* .statusHint */ .o6)(final.status), ours ? `Scalingo ${final.status}` : undefined);
    }
    if (ours && (0,_scalingo_statuses_js__WEBPACK_IMPORTED_MODULE_5__/* .isSuccess */ .oJ)(final.status)) {
        _lib_log_js__WEBPACK_IMPORTED_MODULE_2__/* .info */ .pq(`✅ ${settings.app} is running ${report.sha || final.git_ref || 'the new version'}${report.appUrl ? ` at ${report.appUrl}` : ''}`);
    }
}


/***/ }),

/***/ 3982:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {


// EXPORTS
__nccwpck_require__.d(__webpack_exports__, {
  fO: () => (/* binding */ Follower),
  dg: () => (/* binding */ isTransient)
});

// UNUSED EXPORTS: FIRST_OUTPUT_MS, MAX_MALFORMED_IN_A_ROW, MIN_OUTPUT_INTERVAL_MS, OUTPUT_GROWTH_BYTES, afterFailedPolls, isMalformed, outputReadDue, pollDelay

// EXTERNAL MODULE: ./src/lib/log.ts
var log = __nccwpck_require__(1025);
// EXTERNAL MODULE: ./src/lib/clock.ts
var lib_clock = __nccwpck_require__(4517);
// EXTERNAL MODULE: ./src/lib/errors.ts
var errors = __nccwpck_require__(7268);
// EXTERNAL MODULE: ./src/lib/http.ts
var http = __nccwpck_require__(1931);
// EXTERNAL MODULE: ./src/lib/urls.ts
var urls = __nccwpck_require__(1281);
// EXTERNAL MODULE: ./src/scalingo/client.ts
var client = __nccwpck_require__(8211);
// EXTERNAL MODULE: ./src/scalingo/statuses.ts
var statuses = __nccwpck_require__(7178);
// EXTERNAL MODULE: ./src/stages/appstate.ts
var appstate = __nccwpck_require__(6551);
// EXTERNAL MODULE: external "node:string_decoder"
var external_node_string_decoder_ = __nccwpck_require__(6193);
// EXTERNAL MODULE: ./src/stages/lines.ts
var lines = __nccwpck_require__(436);
;// CONCATENATED MODULE: ./src/stages/logmerge.ts


/**
 * One build log out of several sources, each line printed exactly once and
 * in order, whatever the stream does:
 *
 * - The output endpoint (`links.output`) is the authority: the whole log so
 *   far, line i at index i.
 * - A stream connection opened before the deployment existed starts at the
 *   log's first line: trusted at once.
 * - Any other connection may replay the log from its start, or send only
 *   what follows (undocumented). Its lines are compared with the printed
 *   ones: when its first lines are the log's first lines (at least two),
 *   it replays, and its lines are printed from where the log stands. When
 *   they differ, or there is nothing yet to compare with, its lines are not
 *   printed: they only tell that there is more, and the output endpoint
 *   supplies it.
 */
/** Lines a connection must replay, matching the printed ones, before it is trusted. */
const MIN_MATCHED = 2;
/** Lines held while a connection cannot be judged yet; beyond, it is not trusted. */
const MAX_HELD = 2000;
class LogMerger {
    log;
    tailSize;
    connections = new Map();
    latest = 0;
    /** Lines seen on connections that are not trusted, since the last output read: the output has more. */
    unseenLines = 0;
    constructor(log, tailSize = 30) {
        this.log = log;
        this.tailSize = tailSize;
    }
    /** A connection opened before the deployment existed: its lines start at the log's first. */
    trustFromStart(connection) {
        this.connection(connection).trust = 'trusted';
    }
    /** Whether the latest connection's lines are printed as they come (no output read is needed). */
    get live() {
        return this.latest > 0 && this.connection(this.latest).trust === 'trusted';
    }
    isTrusted(connection) {
        return this.connections.get(connection)?.trust === 'trusted';
    }
    /** One log frame of our deployment, from stream connection `connection`. */
    fromStream(connection, content) {
        const c = this.connection(connection);
        for (const line of (0,lines/* frameLines */.D$)(content)) {
            const index = c.received++;
            if (c.trust === 'trusted')
                this.printTrusted(c, index, line);
            else if (c.trust === 'judging')
                this.judge(c, index, line);
            else
                this.unseenLines++;
        }
    }
    /**
     * Reads one whole-log answer, streaming: prints the lines past what was
     * printed, waiting for stdout to drain. `ended`: the deployment is over,
     * so a last line without a newline is a line.
     */
    async fromOutput(body, ended) {
        const tail = [];
        let index = 0;
        const assembler = new lines/* LineAssembler */.fy(line => {
            this.log.offer(index++, line);
            tail.push(line);
            if (tail.length > this.tailSize)
                tail.shift();
        });
        const decoder = new external_node_string_decoder_.StringDecoder('utf8');
        for await (const chunk of body) {
            assembler.push(decoder.write(chunk));
            await this.log.drained();
        }
        assembler.push(decoder.end());
        if (ended)
            assembler.end();
        this.unseenLines = 0;
        // What was held can be judged now that there is more to compare with.
        for (const c of this.connections.values())
            if (c.trust === 'judging')
                this.rejudge(c);
        return { lines: index, tail };
    }
    connection(n) {
        let c = this.connections.get(n);
        if (!c) {
            c = { trust: 'judging', received: 0, held: [], heldFrom: 0 };
            this.connections.set(n, c);
            this.latest = Math.max(this.latest, n);
        }
        return c;
    }
    printTrusted(c, index, line) {
        if (index < this.log.printed)
            return;
        // A trusted connection never runs ahead of what it printed itself; if it does, stop trusting it.
        if (!this.log.offer(index, line))
            this.distrust(c);
    }
    /** Compares a line with the printed one at the same index; trusts the connection once enough matched. */
    judge(c, index, line) {
        if (c.held.length > 0)
            return this.hold(c, index, line);
        if (index < this.log.printed) {
            if (this.log.hashAt(index) !== (0,lines/* lineHash */.Hw)(line))
                this.distrust(c);
            return;
        }
        if (index >= MIN_MATCHED && index === this.log.printed) {
            c.trust = 'trusted';
            this.log.offer(index, line);
            return;
        }
        // Nothing (or too little) printed yet to compare with: hold it until the output says more.
        this.hold(c, index, line);
    }
    hold(c, index, line) {
        if (c.held.length === 0)
            c.heldFrom = index;
        c.held.push(line);
        this.unseenLines++;
        if (c.held.length > MAX_HELD)
            this.distrust(c);
    }
    rejudge(c) {
        const held = c.held;
        const from = c.heldFrom;
        c.held = [];
        held.forEach((line, k) => {
            if (c.trust === 'trusted')
                this.printTrusted(c, from + k, line);
            else if (c.trust === 'judging')
                this.judge(c, from + k, line);
        });
    }
    distrust(c) {
        c.trust = 'untrusted';
        this.unseenLines += c.held.length + 1;
        c.held = [];
    }
}

;// CONCATENATED MODULE: ./src/stages/follower.ts









/**
 * How long to wait before the next status poll without the stream: quick at
 * the start and near the transitions that come fast (pushing, starting),
 * slower while a long build or a queue lasts.
 */
function pollDelay(status, inStatusMs, elapsedMs) {
    if (elapsedMs < 2_000)
        return 500;
    switch (status) {
        case 'pushing':
        case 'starting':
            return 1_500;
        case 'queued':
            return inStatusMs < 10_000 ? 1_000 : 3_000;
        case 'building':
            if (inStatusMs < 5_000)
                return 1_000;
            return inStatusMs < 120_000 ? 3_000 : 5_000;
        default:
            return 2_000;
    }
}
/** The first output read comes this soon after the build starts: the first lines show within seconds. */
const FIRST_OUTPUT_MS = 2_000;
/** Never two output reads closer than this. */
const MIN_OUTPUT_INTERVAL_MS = 15_000;
/** A log this large is re-read only as often as its size can double. */
const OUTPUT_GROWTH_BYTES = 64 * 1024;
/**
 * Whether the output endpoint may be read again. It has no offset, so each
 * read downloads the whole log: reads are spaced so that, once the log is
 * large, the time between two reads grows like the time already spent
 * (the log can have doubled), which keeps the bytes downloaded within about
 * three times the final log whatever the build's length, while a small log
 * is read every 15 s.
 */
function outputReadDue(now, s) {
    if (s.buildingSince === undefined)
        return false;
    if (s.lastAt === undefined)
        return now - s.buildingSince >= FIRST_OUTPUT_MS;
    // No log yet at the last read (404): look again soon.
    if (s.firstAt === undefined)
        return now - s.lastAt >= FIRST_OUTPUT_MS;
    const growth = Math.min(1, s.lastBytes / OUTPUT_GROWTH_BYTES);
    return now - s.lastAt >= Math.max(MIN_OUTPUT_INTERVAL_MS, (s.lastAt - s.firstAt) * growth);
}
/**
 * A failure worth polling through: no answer, an answer that says "later",
 * or a 2xx whose body could not be read (cut, not JSON, no deployment in
 * it): one mangled answer says nothing about the deployment.
 */
function isTransient(err) {
    if (err instanceof errors/* NetworkError */.Dr || isMalformed(err))
        return true;
    return err instanceof errors/* HttpError */.j$ && (0,http/* isRetryableStatus */.PS)(err.status);
}
/** A 2xx answer that could not be read: cut, not JSON, or without the deployment asked for. */
function isMalformed(err) {
    return err instanceof client/* MalformedAnswerError */.Sz || (err instanceof errors/* HttpError */.j$ && err.status >= 200 && err.status < 300);
}
/** Unreadable answers in a row after which the API is taken at its word: it cannot say how the deployment goes. */
const MAX_MALFORMED_IN_A_ROW = 5;
/** After a failed poll, the next one waits at least this long (more after several): never a tight loop. */
function afterFailedPolls(failed) {
    return failed === 0 ? 0 : Math.min(5_000, 1_000 * failed);
}
/** Queued this long: look once at why. */
const EXPLAIN_QUEUE_AFTER_MS = 5_000;
/** The last look at the deployment, at the timeout, may run this long past it. */
const LAST_LOOK_GRACE_MS = 1_000;
class Follower {
    opts;
    id;
    start;
    merger;
    current;
    /** The status last told to the user, and since when. */
    announced;
    announcedSince;
    /** A terminal status announced by the stream, waiting for the API's word; and whether its connection had sent every line. */
    pendingFinal;
    /** Cuts the current pause short (the stream has news). */
    interruptPause;
    queueExplained = false;
    outputBlocked = false;
    /** Status polls that failed in a row, and of them, how many answered 2xx with a body that could not be read. */
    failedPolls = 0;
    malformedInARow = 0;
    schedule = { lastBytes: 0 };
    counts = { transientErrors: 0, polls: 0, outputFetches: 0, outputBytes: 0, streamUsed: false };
    constructor(opts) {
        this.opts = opts;
        this.id = opts.deployment.id;
        this.start = opts.clock.now();
        this.current = opts.deployment;
        this.announced = this.current.status;
        this.announcedSince = this.start;
        this.merger = new LogMerger(opts.log);
        opts.log.status = this.announced;
        if (this.announced !== 'queued')
            this.schedule.buildingSince = this.start;
    }
    async run() {
        const { log, stream } = this.opts;
        this.opts.onStatus?.(this.announced, undefined);
        this.attachStream();
        let timedOut;
        let read;
        try {
            timedOut = await this.pollUntilDone();
        }
        finally {
            stream?.stop();
        }
        const final = this.current.status;
        const completeFromStream = this.pendingFinal?.status === final && this.pendingFinal.complete;
        // Whatever the stream did not deliver, the output endpoint has; a failure's tail comes from it too.
        if (!timedOut && ((0,statuses/* hasFailed */.WN)(final) || !completeFromStream))
            read = await this.catchUpFromOutput(true);
        log.closeGroup();
        if (!timedOut)
            this.announce(final);
        const tail = read && read.tail.length > 0 ? read.tail : log.lastLines();
        return { deployment: this.current, timedOut, tail, ...this.counts };
    }
    /** Polls (or waits for the stream) until a terminal status; true when the deadline came first. */
    async pollUntilDone() {
        const { clock, deadline } = this.opts;
        for (;;) {
            const now = clock.now();
            if (now >= deadline)
                return !(await this.lastLook());
            const delay = this.nextPollDelay(now);
            if (delay > 0)
                await this.pause(Math.min(delay, deadline - now));
            if (clock.now() >= deadline)
                return !(await this.lastLook());
            const outcome = await this.pollOnce();
            if (outcome === 'finished')
                return false;
            if (outcome === 'timed-out')
                return !(await this.lastLook());
        }
    }
    streamHealthy() {
        return this.opts.stream?.stream.healthy ?? false;
    }
    attachStream() {
        const live = this.opts.stream;
        if (!live)
            return;
        if (live.openedBeforeCreation !== undefined)
            this.merger.trustFromStart(live.openedBeforeCreation);
        if (live.stream.gaveUp)
            this.onStreamState('gave-up', 0, live.stream.lastFailure);
        live.attach({
            onEvent: (event, connection) => this.onStreamEvent(event, connection),
            onState: (state, connection, why) => this.onStreamState(state, connection, why)
        });
    }
    /** A frame of the stream: our log lines and status changes; other deployments' are ignored. */
    onStreamEvent(event, connection) {
        if (event.type === 'log' && event.id === this.id) {
            this.merger.fromStream(connection, event.content);
            this.holdStreamWhileBackedUp();
        }
        else if (event.type === 'status' && event.id === this.id) {
            if (event.status !== 'queued')
                this.schedule.buildingSince ??= this.opts.clock.now();
            if ((0,statuses/* isRunning */.W_)(event.status)) {
                this.announce(event.status);
            }
            else {
                this.pendingFinal = { status: event.status, complete: this.merger.isTrusted(connection) };
                this.interruptPause?.();
            }
        }
    }
    /** stdout is behind: the socket waits, rather than frames piling up in memory. */
    holdStreamWhileBackedUp() {
        const { log, stream } = this.opts;
        if (!stream || !log.backedUp)
            return;
        stream.stream.pause();
        void log.drained().then(() => stream.stream.resume());
    }
    onStreamState(state, _connection, why) {
        if (state === 'up')
            this.counts.streamUsed = true;
        if (state === 'gave-up')
            log/* info */.pq(`(live build output unavailable: ${why ?? 'no connection'}; following by polling)`);
        else if (state === 'down')
            log/* debug */.Yz(`deployment stream down (${why}); reconnecting, polling meanwhile`);
        this.interruptPause?.();
    }
    /** How long until the next status poll: at once to confirm an end, slowly while the stream is healthy. */
    nextPollDelay(now) {
        let delay = this.pendingFinal
            ? 0
            : this.streamHealthy()
                ? (this.opts.safetyPollMs ?? 15_000)
                : (this.opts.pollDelay ?? pollDelay)(this.announced, now - this.announcedSince, now - this.start);
        // A poll just failed: even an end to confirm waits a little before asking again.
        delay = Math.max(delay, afterFailedPolls(this.failedPolls));
        // Queued for a while: look once at why, even while the stream is quiet.
        if (this.announced === 'queued' && !this.queueExplained) {
            delay = Math.min(delay, Math.max(0, this.announcedSince + EXPLAIN_QUEUE_AFTER_MS + 100 - now));
        }
        // The stream cannot be trusted with every line: the output endpoint is read when it is due.
        if (this.needsOutput())
            delay = Math.min(delay, MIN_OUTPUT_INTERVAL_MS);
        return delay;
    }
    /** Whether lines must come from the output endpoint: no trusted stream connection, or one that says there is more. */
    needsOutput() {
        if (this.outputBlocked || this.merger.live)
            return false;
        return !this.streamHealthy() || this.merger.unseenLines > 0;
    }
    /** One GET of the deployment: 'running', 'finished', or 'timed-out' when it hung past the deadline. */
    async pollOnce() {
        const { client, clock, deadline } = this.opts;
        this.counts.polls++;
        let next;
        try {
            next = await (0,lib_clock/* beforeDeadline */.OJ)(client.getDeployment(this.id), deadline, clock, () => undefined);
        }
        catch (err) {
            if (!isTransient(err))
                throw err;
            this.malformedInARow = isMalformed(err) ? this.malformedInARow + 1 : 0;
            if (this.malformedInARow >= MAX_MALFORMED_IN_A_ROW)
                throw err;
            this.counts.transientErrors++;
            this.failedPolls++;
            log/* info */.pq(`(could not read the deployment's status: ${(0,errors/* describeError */.Uc)(err)}; still following)`);
            return 'running';
        }
        if (!next)
            return 'timed-out';
        this.failedPolls = 0;
        this.malformedInARow = 0;
        this.current = next;
        if (!(0,statuses/* isRunning */.W_)(next.status))
            return 'finished';
        if (this.pendingFinal) {
            log/* debug */.Yz(`the stream announced ${this.pendingFinal.status} but the API says ${next.status}: waiting for the API`);
            this.pendingFinal = undefined;
        }
        if (next.status !== 'queued')
            this.schedule.buildingSince ??= clock.now();
        this.announce(next.status);
        if (next.status === 'queued' &&
            !this.queueExplained &&
            clock.now() - this.announcedSince > EXPLAIN_QUEUE_AFTER_MS) {
            this.queueExplained = true;
            await this.explainQueue();
        }
        if (this.needsOutput() && outputReadDue(clock.now(), this.schedule))
            await this.catchUpFromOutput(false);
        return 'running';
    }
    /** At the timeout: one last look, so a deployment that ended right then is reported as it ended. */
    async lastLook() {
        const { client, clock, deadline } = this.opts;
        try {
            const look = client.getDeployment(this.id, { graceMs: LAST_LOOK_GRACE_MS });
            this.current = (await (0,lib_clock/* beforeDeadline */.OJ)(look, deadline + LAST_LOOK_GRACE_MS, clock, () => undefined)) ?? this.current;
        }
        catch (err) {
            log/* debug */.Yz(`last look at the deployment failed: ${(0,errors/* describeError */.Uc)(err)}`);
        }
        return !(0,statuses/* isRunning */.W_)(this.current.status);
    }
    /** Reads the output past what was printed; never fails the run. `ended`: the deployment is over. */
    async catchUpFromOutput(ended) {
        const { client, clock, deadline } = this.opts;
        const link = this.current.links?.output;
        if (!link || this.outputBlocked)
            return undefined;
        this.counts.outputFetches++;
        const at = clock.now();
        this.schedule.lastAt = at;
        // Every read ends by the run's deadline: a trickling answer never holds the run.
        const until = deadline + LAST_LOOK_GRACE_MS;
        try {
            const body = await (0,lib_clock/* beforeDeadline */.OJ)(client.openOutput(link), until, clock, () => {
                throw new errors/* NetworkError */.Dr({
                    code: 'ETIMEDOUT',
                    method: 'GET',
                    url: (0,urls/* safeUrl */.Pl)(link),
                    cause: 'no answer before the timeout',
                    unsent: false
                });
            });
            if (!body)
                return undefined;
            this.schedule.firstAt ??= at;
            let bytes = 0;
            const counted = (async function* () {
                for await (const chunk of body) {
                    bytes += chunk.length;
                    yield chunk;
                }
            })();
            const read = await (0,lib_clock/* beforeDeadline */.OJ)(this.merger.fromOutput(counted, ended), until, clock, () => {
                body.destroy();
                return undefined;
            });
            this.schedule.lastBytes = bytes;
            this.counts.outputBytes += bytes;
            return read;
        }
        catch (err) {
            if (err instanceof errors/* ActionError */.lZ && !(err instanceof errors/* HttpError */.j$))
                this.outputBlocked = true;
            log/* warning */.$e(`Could not read the build output: ${(0,errors/* describeError */.Uc)(err)}`);
            return undefined;
        }
    }
    /** Says why we wait: another deployment of the app, or the account's slots. Never another's status as ours. */
    async explainQueue() {
        try {
            const others = (0,appstate/* inFlight */.CC)(await this.opts.client.listDeployments(10)).filter(d => d.id !== this.id);
            this.opts.log.closeGroup();
            if (others.length > 0) {
                const o = others[0];
                log/* info */.pq(`(deployment ${this.id} waits in the queue behind deployment ${o.id}, which is ${o.status}: Scalingo runs one deployment of an app at a time)`);
            }
            else {
                log/* info */.pq(`(deployment ${this.id} is still queued: all deployment slots of the account may be busy)`);
            }
        }
        catch (err) {
            log/* debug */.Yz(`could not list the app's deployments: ${(0,errors/* describeError */.Uc)(err)}`);
        }
    }
    /** Tells a new status once, outside the build output's group. */
    announce(status) {
        if (status === this.announced)
            return;
        const { log } = this.opts;
        log.closeGroup();
        log.status = status;
        this.opts.onStatus?.(status, this.announced);
        this.announced = status;
        this.announcedSince = this.opts.clock.now();
    }
    /** A pause the stream can cut short; a stale timer never clears a newer pause's interrupt. */
    async pause(ms) {
        const stop = new AbortController();
        const interrupt = () => stop.abort();
        this.interruptPause = interrupt;
        await this.opts.clock.sleep(ms, stop.signal);
        if (this.interruptPause === interrupt)
            this.interruptPause = undefined;
    }
}


/***/ }),

/***/ 6469:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   Ns: () => (/* binding */ checkHealth),
/* harmony export */   QA: () => (/* binding */ healthTarget),
/* harmony export */   gZ: () => (/* binding */ healthUrl)
/* harmony export */ });
/* unused harmony export healthBackoff */
/* harmony import */ var _lib_clock_js__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(4517);
/* harmony import */ var _lib_errors_js__WEBPACK_IMPORTED_MODULE_1__ = __nccwpck_require__(7268);
/* harmony import */ var _lib_http_js__WEBPACK_IMPORTED_MODULE_2__ = __nccwpck_require__(1931);
/* harmony import */ var _lib_log_js__WEBPACK_IMPORTED_MODULE_3__ = __nccwpck_require__(1025);
/* harmony import */ var _lib_urls_js__WEBPACK_IMPORTED_MODULE_4__ = __nccwpck_require__(1281);





/** The URL to check: a path on the app's public URL, or the URL given. */
function healthUrl(check, app) {
    if (check.url)
        return check.url;
    const base = app.url || app.base_url;
    // The app's URL is an answer like any other: https (loopback for tests), no credentials.
    if (!base || !check.path || (0,_lib_urls_js__WEBPACK_IMPORTED_MODULE_4__/* .answerUrlProblem */ .Hc)(base))
        return undefined;
    return `${new URL(base).origin}${check.path}`;
}
/** The pause before try n+1: 1 s, 2 s, 4 s… at most 10 s. */
function healthBackoff(tries) {
    return Math.min(10_000, 1000 * 2 ** (tries - 1));
}
/** One try's longest wait for an answer: a hanging app is a failed try, not a stuck run. */
const TRY_TIMEOUT_MS = 10_000;
async function checkHealth(url, shownAs, timeoutSeconds, clock, userAgent) {
    const started = clock.now();
    const deadline = started + timeoutSeconds * 1000;
    // Its own HTTP client: no bearer, no retries of its own, redirects not followed.
    const http = new _lib_http_js__WEBPACK_IMPORTED_MODULE_2__/* .Http */ .lw({ userAgent, clock, timeoutMs: TRY_TIMEOUT_MS });
    let tries = 0;
    let last;
    try {
        for (;;) {
            tries++;
            const answer = await tryOnce(http, url, clock, Math.min(deadline, clock.now() + TRY_TIMEOUT_MS));
            last = answer.what;
            if (answer.ok)
                return { ok: true, target: shownAs, tries, last, elapsedMs: clock.now() - started };
            const pause = healthBackoff(tries);
            if (clock.now() + pause >= deadline)
                break;
            _lib_log_js__WEBPACK_IMPORTED_MODULE_3__/* .info */ .pq(`(health check: ${shownAs} ${last}; trying again in ${(0,_lib_clock_js__WEBPACK_IMPORTED_MODULE_0__/* .formatDuration */ .a3)(pause)})`);
            await clock.sleep(pause);
        }
    }
    finally {
        http.dispose();
    }
    return { ok: false, target: shownAs, tries, last, elapsedMs: clock.now() - started };
}
async function tryOnce(http, url, clock, until) {
    const redirects = [300, 301, 302, 303, 304, 305, 307, 308];
    try {
        const res = await (0,_lib_clock_js__WEBPACK_IMPORTED_MODULE_0__/* .beforeDeadline */ .OJ)(http.request({
            method: 'GET',
            url,
            headers: { Accept: '*/*' },
            retry: 'none',
            accept: redirects,
            maxBodyBytes: 64 * 1024
        }), until, clock, () => undefined);
        if (!res)
            return { ok: false, what: `gave no answer within ${(0,_lib_clock_js__WEBPACK_IMPORTED_MODULE_0__/* .formatDuration */ .a3)(TRY_TIMEOUT_MS)}` };
        return { ok: true, what: `answered ${res.status}` };
    }
    catch (err) {
        if (err instanceof _lib_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .HttpError */ .j$)
            return { ok: false, what: `answered ${err.status}` };
        if (err instanceof _lib_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .NetworkError */ .Dr)
            return { ok: false, what: `failed (${err.code ?? (0,_lib_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .describeError */ .Uc)(err)})` };
        throw err;
    }
}
/** How the check is shown: the path on the app's URL or the URL, never its query (a probe key) or fragment. */
function healthTarget(check) {
    return check.path !== undefined ? check.path.replace(/[?#].*$/s, '') : (0,_lib_urls_js__WEBPACK_IMPORTED_MODULE_4__/* .safeUrl */ .Pl)(check.url ?? '');
}


/***/ }),

/***/ 436:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   D$: () => (/* binding */ frameLines),
/* harmony export */   Hw: () => (/* binding */ lineHash),
/* harmony export */   fy: () => (/* binding */ LineAssembler)
/* harmony export */ });
/* unused harmony exports MAX_LINE, capLine, cutMarker, normalizeLine */
/* harmony import */ var _lib_secrets_js__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(5714);
/**
 * Build-log text into lines, as the runner shows them: `\n` ends a line,
 * `\r` alone returns to its start (a progress bar: only its last state is
 * kept), a line longer than MAX_LINE is cut and says so. Linear in the text:
 * line ends are looked for only in new text, and a line never grows past
 * the cap however long it really is.
 */

/** The longest line kept, in characters; the rest is counted, not held. */
const MAX_LINE = 64 * 1024;
/**
 * Characters held of a line: the cap, plus room for a secret that starts
 * before the cap to be held whole, so it is scrubbed before the line is cut.
 */
function held() {
    return MAX_LINE + (0,_lib_secrets_js__WEBPACK_IMPORTED_MODULE_0__/* .longestSecret */ .nr)();
}
/**
 * A line of `total` characters, of which `head` holds the first (at least
 * MAX_LINE of them when it is longer): as it is when it fits, else scrubbed
 * whole, then cut, then what is left of a secret at the cut's edge dropped.
 */
function capLine(head, total) {
    if (total <= MAX_LINE)
        return head;
    return (0,_lib_secrets_js__WEBPACK_IMPORTED_MODULE_0__/* .trimSecretEdge */ .ET)((0,_lib_secrets_js__WEBPACK_IMPORTED_MODULE_0__/* .scrub */ ._I)(head).slice(0, MAX_LINE)) + cutMarker(total - MAX_LINE);
}
/** What a cut line ends with. */
function cutMarker(dropped) {
    return ` … [line cut: ${dropped} more characters]`;
}
/** One frame of the stream or one piece of a line: the last state after `\r`, capped. */
function normalizeLine(raw) {
    const trimmed = raw.replace(/\r+$/, '');
    const cr = trimmed.lastIndexOf('\r');
    const last = cr >= 0 ? trimmed.slice(cr + 1) : trimmed;
    return capLine(last.length > MAX_LINE ? last.slice(0, held()) : last, last.length);
}
/**
 * The lines of one stream frame: a frame holds whole lines, with or without
 * a trailing newline (Scalingo's docs show none; the CLI prints each frame
 * as its own line).
 */
function frameLines(content) {
    const parts = content.split('\n');
    if (parts.length > 1 && parts[parts.length - 1] === '')
        parts.pop();
    return parts.map(normalizeLine);
}
/** Cuts a growing text (the output endpoint's body) into lines, one chunk at a time. */
class LineAssembler {
    onLine;
    /** The current line's last state (after its last `\r`), at most `held()` characters. */
    current = '';
    /** Characters of the current line beyond what is held. */
    dropped = 0;
    /** A `\r` was seen: the next character decides (CRLF ends the line, anything else starts it over). */
    pendingReturn = false;
    constructor(onLine) {
        this.onLine = onLine;
    }
    push(chunk) {
        const ends = /[\r\n]/g;
        let from = 0;
        for (let m = ends.exec(chunk); m; m = ends.exec(chunk)) {
            this.take(chunk.slice(from, m.index));
            from = m.index + 1;
            if (m[0] === '\n') {
                this.pendingReturn = false;
                this.endLine();
            }
            else {
                this.pendingReturn = true;
            }
        }
        this.take(chunk.slice(from));
    }
    /** The text ended: a last line without a newline is a line too. */
    end() {
        if (this.current !== '' || this.dropped > 0)
            this.endLine();
        this.pendingReturn = false;
    }
    /** Whether a partial line is held (the text so far did not end with a newline). */
    get holdsPartialLine() {
        return this.current !== '' || this.dropped > 0;
    }
    take(text) {
        if (text === '')
            return;
        if (this.pendingReturn) {
            // A carriage return not followed by a newline: the line starts over.
            this.current = '';
            this.dropped = 0;
            this.pendingReturn = false;
        }
        const room = Math.max(0, held() - this.current.length);
        if (text.length <= room)
            this.current += text;
        else {
            this.current += text.slice(0, room);
            this.dropped += text.length - room;
        }
    }
    endLine() {
        const line = capLine(this.current, this.current.length + this.dropped);
        this.current = '';
        this.dropped = 0;
        this.onLine(line);
    }
}
/** A 32-bit fingerprint of a line (FNV-1a over its length and its first and last characters): enough to tell a replay from new text. */
function lineHash(line) {
    let h = 0x811c9dc5 ^ line.length;
    const n = line.length;
    const head = Math.min(n, 512);
    for (let i = 0; i < head; i++)
        h = Math.imul(h ^ line.charCodeAt(i), 0x01000193);
    for (let i = Math.max(head, n - 128); i < n; i++)
        h = Math.imul(h ^ line.charCodeAt(i), 0x01000193);
    return h >>> 0;
}


/***/ }),

/***/ 9355:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {


// EXPORTS
__nccwpck_require__.d(__webpack_exports__, {
  O: () => (/* binding */ attendOneOff)
});

// UNUSED EXPORTS: STOP_GRACE_MS

// EXTERNAL MODULE: ./src/lib/clock.ts
var lib_clock = __nccwpck_require__(4517);
// EXTERNAL MODULE: ./src/lib/errors.ts
var errors = __nccwpck_require__(7268);
// EXTERNAL MODULE: ./src/lib/log.ts
var log = __nccwpck_require__(1025);
// EXTERNAL MODULE: ./src/lib/version.ts
var version = __nccwpck_require__(7471);
// EXTERNAL MODULE: ./src/scalingo/attach.ts + 2 modules
var attach = __nccwpck_require__(6979);
// EXTERNAL MODULE: ./src/scalingo/regions.ts
var regions = __nccwpck_require__(6487);
// EXTERNAL MODULE: ./src/report/log.ts + 1 modules
var report_log = __nccwpck_require__(1973);
// EXTERNAL MODULE: ./src/report/oneoff.ts
var oneoff = __nccwpck_require__(2829);
// EXTERNAL MODULE: ./src/stages/buildlog.ts
var buildlog = __nccwpck_require__(6677);
// EXTERNAL MODULE: external "node:string_decoder"
var external_node_string_decoder_ = __nccwpck_require__(6193);
// EXTERNAL MODULE: ./src/stages/lines.ts
var lines = __nccwpck_require__(436);
;// CONCATENATED MODULE: ./src/stages/oneoff/terminal.ts






/**
 * The one-off's terminal: attached (retried while the container boots),
 * end-of-input sent at once, every byte of output printed as a build log
 * is (inert, masked, lines capped, `\r` and CRLF handled) with
 * backpressure, and Ctrl-C sent once when the run must stop.
 */
/** How long attaching is retried (a connection error or a 5xx while the container boots). */
const ATTACH_RETRY_MS = 30_000;
/** One CONNECT's longest wait for an answer. */
const CONNECT_TIMEOUT_MS = 15_000;
const END_OF_INPUT = Buffer.from([0x04]);
const CTRL_C = Buffer.from([0x03]);
/** The pause before attach try n+1: 0.5 s, 1 s, 2 s, 4 s, then 5 s. */
function attachBackoff(tries) {
    return Math.min(5_000, 500 * 2 ** (tries - 1));
}
/** A refusal worth trying again: no answer, or a 5xx (or 404: the container not registered yet). */
function attachRetryable(err) {
    if (err instanceof errors/* NetworkError */.Dr)
        return true;
    return err instanceof errors/* HttpError */.j$ && (err.status >= 500 || err.status === 404 || err.status === 429);
}
class OneOffTerminal {
    attachUrl;
    bearer;
    out;
    opts;
    socket;
    interrupted = false;
    bytes = 0;
    lines = 0;
    constructor(attachUrl, bearer, out, opts) {
        this.attachUrl = attachUrl;
        this.bearer = bearer;
        this.out = out;
        this.opts = opts;
    }
    /** Attaches, retrying for up to ATTACH_RETRY_MS (never past `deadline`); sends end-of-input. */
    async attach(deadline, stop) {
        const { clock } = this.opts;
        const until = Math.min(deadline, clock.now() + ATTACH_RETRY_MS);
        for (let tries = 1;; tries++) {
            try {
                const { socket, head } = await (0,attach/* openTerminal */.jf)(this.attachUrl, await this.bearer(), this.opts.userAgent, Math.max(1, Math.min(CONNECT_TIMEOUT_MS, until - clock.now())));
                this.socket = socket;
                // `scalingo run CMD < /dev/null`: a command reading stdin gets end-of-file, not a hang.
                socket.write(END_OF_INPUT);
                if (head.length > 0)
                    this.take(head);
                return;
            }
            catch (err) {
                const pause = attachBackoff(tries);
                if (!attachRetryable(err) || stop.aborted || clock.now() + pause >= until) {
                    throw new errors/* ActionError */.lZ(`could not attach to one-off ${this.opts.label} (${(0,errors/* describeError */.Uc)(err)}): it runs on, and its outcome is not known here`, `its output goes to the app's logs: ${this.opts.logs}`);
                }
                log/* info */.pq(`(attaching to one-off ${this.opts.label}: ${(0,errors/* describeError */.Uc)(err)}; trying again in ${(0,lib_clock/* formatDuration */.a3)(pause)})`);
                await clock.sleep(pause, stop);
            }
        }
    }
    decoder = new external_node_string_decoder_.StringDecoder('utf8');
    assembler = new lines/* LineAssembler */.fy(line => {
        this.out.offer(this.lines++, line);
    });
    take(chunk) {
        this.bytes += chunk.length;
        this.assembler.push(this.decoder.write(chunk));
    }
    /** Prints the output until the terminal closes; resolves how it closed. */
    follow() {
        const socket = this.socket;
        return new Promise(resolve => {
            let sawEnd = false;
            socket.on('data', (chunk) => {
                this.take(chunk);
                // stdout is behind: the socket waits, rather than output piling up in memory.
                if (this.out.backedUp) {
                    socket.pause();
                    void this.out.drained().then(() => socket.resume());
                }
            });
            socket.on('end', () => (sawEnd = true));
            socket.on('error', err => log/* debug */.Yz(`one-off terminal: ${(0,errors/* describeError */.Uc)(err)}`));
            socket.on('close', () => {
                this.assembler.push(this.decoder.end());
                this.assembler.end();
                this.out.closeGroup();
                resolve({ how: sawEnd ? 'eof' : 'dropped', bytes: this.bytes, lines: this.lines });
            });
        });
    }
    /** Ctrl-C, once (as the CLI forwards SIGINT): the command is asked to stop. */
    interrupt() {
        if (this.interrupted || !this.socket || this.socket.destroyed)
            return;
        this.interrupted = true;
        this.socket.write(CTRL_C);
    }
    /** Closes the terminal (the command is left to Scalingo). */
    close() {
        this.socket?.destroy();
    }
}

;// CONCATENATED MODULE: ./src/stages/oneoff/attended.ts










/** After Ctrl-C, how long the command has to end and say its exit code. */
const STOP_GRACE_MS = 5_000;
async function attendOneOff(ctx, attachUrl, report) {
    const label = report.container || 'one-off';
    const out = new buildlog/* BuildLog */.N(process.stdout, `Output of ${label}`);
    const terminal = new OneOffTerminal(attachUrl, () => ctx.client.bearer(), out, {
        clock: ctx.clock,
        userAgent: version/* USER_AGENT */._,
        label,
        logs: (0,regions/* oneOffLogsCommand */.ak)(ctx.client.config.region, ctx.client.config.app, label)
    });
    await terminal.attach(ctx.deadline, ctx.stop);
    log/* info */.pq(`Attached to one-off ${label}: running ${(0,oneoff/* commandLabel */.Md)(report.command)}`);
    const { end, stoppedBy } = await untilEnd(ctx, terminal);
    const answer = await exitCode(ctx, attachUrl, end, stoppedBy, label);
    judge(report, answer, stoppedBy, out);
}
/** The terminal's end; at the timeout or on cancellation, Ctrl-C first, then a few seconds for the command to end. */
async function untilEnd(ctx, terminal) {
    const ending = terminal.follow();
    const stopped = new Promise(resolve => {
        if (ctx.stop.aborted)
            resolve('cancelled');
        ctx.stop.addEventListener('abort', () => resolve('cancelled'), { once: true });
    });
    const first = await (0,lib_clock/* beforeDeadline */.OJ)(Promise.race([ending, stopped]), ctx.deadline, ctx.clock, () => 'timed-out');
    if (typeof first === 'object')
        return { end: first };
    terminal.interrupt();
    log/* info */.pq(`(${first === 'cancelled' ? 'cancelled' : 'the timeout is reached'}: Ctrl-C sent to the one-off)`);
    const end = await (0,lib_clock/* beforeDeadline */.OJ)(ending, ctx.clock.now() + STOP_GRACE_MS, ctx.clock, () => undefined);
    if (!end)
        terminal.close();
    return { end, stoppedBy: first };
}
/** `/wait` after the terminal closed (or broke): how the command ended; undefined when it cannot be told. */
async function exitCode(ctx, attachUrl, end, stoppedBy, label) {
    if (end?.how === 'dropped')
        log/* info */.pq(`(the connection to one-off ${label} dropped; asking Scalingo how it ended)`);
    const until = stoppedBy ? ctx.clock.now() + (end ? STOP_GRACE_MS : 1_000) : ctx.deadline;
    try {
        return await (0,attach/* waitForExit */.zE)(ctx.http, attachUrl, await ctx.client.bearer(), until);
    }
    catch (err) {
        if (stoppedBy) {
            log/* debug */.Yz(`no exit code after Ctrl-C: ${(0,errors/* describeError */.Uc)(err)}`);
            return undefined;
        }
        throw new errors/* ActionError */.lZ(`the one-off ${label} ended its connection, and its exit code could not be read (${(0,errors/* describeError */.Uc)(err)}): its outcome is unknown`, `its output is in the app's logs: ${(0,regions/* oneOffLogsCommand */.ak)(ctx.client.config.region, ctx.client.config.app, label)}`);
    }
}
/** The verdict: success, a failure with the telling line, inactivity, or the timeout or cancellation. */
function judge(report, answer, stoppedBy, out) {
    const what = (0,oneoff/* commandLabel */.Md)(report.command);
    if (answer && 'exitCode' in answer)
        report.exitCode = answer.exitCode;
    if (stoppedBy) {
        report.status = stoppedBy;
        const code = report.exitCode === undefined ? '' : ` (it exited with ${report.exitCode})`;
        throw new errors/* ActionError */.lZ(stoppedBy === 'timed-out'
            ? `${what} did not end before the timeout: Ctrl-C was sent${code}`
            : `cancelled: Ctrl-C was sent to ${what}${code}`);
    }
    if (answer && 'inactive' in answer) {
        report.status = 'inactive';
        throw new errors/* ActionError */.lZ(`Scalingo stopped the one-off after a long time without output: ${what} did not finish`, 'print progress, or run it detached (detached: true) and follow the app logs', 'Scalingo one-off inactive');
    }
    const code = report.exitCode ?? -1;
    if (code === 0) {
        report.status = 'success';
        return log/* info */.pq(`✅ ${what} exited with 0`);
    }
    report.status = 'failed';
    const tail = out.lastLines();
    report.tail = tail;
    if (tail.length > 0) {
        log/* info */.pq(`Last ${tail.length} lines of output:`);
        (0,report_log/* printLines */.tj)(tail);
    }
    const telling = (0,report_log/* mostTellingLine */.Z4)(tail);
    throw new errors/* ActionError */.lZ(`${what} exited with ${code}${telling ? ` — ${telling}` : ''}`, undefined, `Scalingo one-off exited with ${code}`);
}


/***/ }),

/***/ 4417:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   gx: () => (/* binding */ attachUrlOf),
/* harmony export */   qb: () => (/* binding */ startOneOff)
/* harmony export */ });
/* unused harmony export operationPollDelay */
/* harmony import */ var _lib_clock_js__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(4517);
/* harmony import */ var _lib_errors_js__WEBPACK_IMPORTED_MODULE_1__ = __nccwpck_require__(7268);
/* harmony import */ var _lib_log_js__WEBPACK_IMPORTED_MODULE_2__ = __nccwpck_require__(1025);
/* harmony import */ var _lib_text_js__WEBPACK_IMPORTED_MODULE_3__ = __nccwpck_require__(9112);
/* harmony import */ var _scalingo_attach_js__WEBPACK_IMPORTED_MODULE_4__ = __nccwpck_require__(6979);
/* harmony import */ var _scalingo_regions_js__WEBPACK_IMPORTED_MODULE_5__ = __nccwpck_require__(6487);
/* harmony import */ var _create_js__WEBPACK_IMPORTED_MODULE_6__ = __nccwpck_require__(5947);
/* harmony import */ var _follower_js__WEBPACK_IMPORTED_MODULE_7__ = __nccwpck_require__(3982);








/**
 * Starting the one-off: the POST, sent at most once, and for an attached
 * one-off the operation polled on the API's own origin until it gives the
 * terminal's address.
 */
async function startOneOff(client, s) {
    try {
        return await client.startOneOff({
            command: s.command,
            env: Object.fromEntries(s.env.map(v => [v.name, v.value])),
            size: s.size,
            detached: s.detached
        });
    }
    catch (err) {
        // The deployment POST's rule: an unclear answer means the command may be running, and it is never started again.
        if (!(0,_create_js__WEBPACK_IMPORTED_MODULE_6__/* .isAmbiguous */ .X2)(err))
            throw err;
        throw new _lib_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .ActionError */ .lZ(`the request to start the one-off got no clear answer (${(0,_lib_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .describeError */ .Uc)(err)}): the command may have started, and is not started again`, `check with: scalingo --app ${s.app} ps (and scalingo --app ${s.app} logs)`);
    }
}
/** Operation polls: the first soon, then about once a second (as the CLI). */
function operationPollDelay(polls) {
    return polls === 0 ? 200 : 1000;
}
/** Polls the operation until it gives the attach URL; checks where that URL may take the bearer. */
async function attachUrlOf(client, started, opts) {
    const id = started.operationId;
    if (!id)
        throw new _lib_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .ActionError */ .lZ(`Scalingo started one-off ${started.label || '(no label)'} without saying which operation to follow (no operation_url, operation or Location)`, `its output goes to the app's logs: ${(0,_scalingo_regions_js__WEBPACK_IMPORTED_MODULE_5__/* .oneOffLogsCommand */ .ak)(client.config.region, client.config.app, started.label)}`);
    for (let polls = 0;; polls++) {
        const wait = operationPollDelay(polls);
        if (opts.clock.now() + wait >= opts.deadline)
            throw new _lib_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .ActionError */ .lZ(`one-off ${started.label} was not ready to attach before the timeout (${(0,_lib_clock_js__WEBPACK_IMPORTED_MODULE_0__/* .formatDuration */ .a3)(opts.deadline - opts.clock.now())} left)`);
        await opts.clock.sleep(wait, opts.stop);
        if (opts.stop.aborted)
            throw new _lib_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .ActionError */ .lZ(`cancelled while one-off ${started.label} was starting: it may run on, not attached`, `its output goes to the app's logs: ${(0,_scalingo_regions_js__WEBPACK_IMPORTED_MODULE_5__/* .oneOffLogsCommand */ .ak)(client.config.region, client.config.app, started.label)}`);
        let op;
        try {
            op = await client.getOperation(id);
        }
        catch (err) {
            if (!(0,_follower_js__WEBPACK_IMPORTED_MODULE_7__/* .isTransient */ .dg)(err))
                throw err;
            _lib_log_js__WEBPACK_IMPORTED_MODULE_2__/* .info */ .pq(`(could not read the one-off's operation: ${(0,_lib_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .describeError */ .Uc)(err)}; still waiting)`);
            continue;
        }
        if (op.status === 'error')
            throw new _lib_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .ActionError */ .lZ(`Scalingo could not start one-off ${started.label}: ${(0,_lib_text_js__WEBPACK_IMPORTED_MODULE_3__/* .inert */ .tJ)(op.error ?? 'the operation failed')}`);
        if (op.status !== 'done')
            continue;
        if (!op.attachUrl)
            throw new _lib_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .ActionError */ .lZ(`Scalingo started one-off ${started.label} without an attach URL`);
        const problem = (0,_scalingo_attach_js__WEBPACK_IMPORTED_MODULE_4__/* .attachUrlProblem */ .wH)(op.attachUrl, opts.apiUrl);
        if (problem)
            throw new _lib_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .ActionError */ .lZ(`Scalingo's attach URL for one-off ${started.label} cannot be used: ${problem}; not sending the bearer token there`, `its output goes to the app's logs: ${(0,_scalingo_regions_js__WEBPACK_IMPORTED_MODULE_5__/* .oneOffLogsCommand */ .ak)(client.config.region, client.config.app, started.label)}`);
        return op.attachUrl;
    }
}


/***/ }),

/***/ 6845:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {


// EXPORTS
__nccwpck_require__.d(__webpack_exports__, {
  i: () => (/* binding */ prepare)
});

// EXTERNAL MODULE: ./src/github/archives.ts
var archives = __nccwpck_require__(7592);
// EXTERNAL MODULE: ./src/lib/log.ts
var log = __nccwpck_require__(1025);
// EXTERNAL MODULE: ./src/lib/errors.ts
var errors = __nccwpck_require__(7268);
// EXTERNAL MODULE: ./src/lib/refs.ts
var refs = __nccwpck_require__(9265);
// EXTERNAL MODULE: ./src/lib/tar.ts + 3 modules
var tar = __nccwpck_require__(8730);
// EXTERNAL MODULE: ./src/scalingo/client.ts
var scalingo_client = __nccwpck_require__(8211);
// EXTERNAL MODULE: ./src/scalingo/regions.ts
var regions = __nccwpck_require__(6487);
// EXTERNAL MODULE: ./src/settings/dotenv.ts
var dotenv = __nccwpck_require__(6443);
// EXTERNAL MODULE: ./src/settings/inputs.ts
var settings_inputs = __nccwpck_require__(7428);
// EXTERNAL MODULE: ./src/stages/appstate.ts
var appstate = __nccwpck_require__(6551);
// EXTERNAL MODULE: ./src/lib/text.ts
var lib_text = __nccwpck_require__(9112);
;// CONCATENATED MODULE: ./src/stages/archivecheck.ts



/**
 * GitHub's archive of a commit is not always what CI tested: submodule
 * folders are empty, Git LFS files stay pointer files (unless the
 * repository includes LFS objects in its archives), `export-ignore` paths
 * are left out. Read from `.gitmodules` and `.gitattributes` at the commit,
 * one sentence per problem.
 */
/** The submodule paths of a `.gitmodules` file. */
function submodulePaths(gitmodules) {
    return [...gitmodules.matchAll(/^\s*path\s*=\s*(.+?)\s*$/gm)].map(m => m[1]);
}
/** The patterns of `.gitattributes` lines carrying an attribute (`filter=lfs`, `export-ignore`). */
function patternsWith(gitattributes, attribute) {
    return gitattributes
        .split('\n')
        .map(l => l.trim())
        .filter(l => l !== '' && !l.startsWith('#'))
        .map(l => l.split(/\s+/))
        .filter(([, ...attrs]) => attrs.some(a => attribute.test(a)))
        .map(([pattern]) => pattern);
}
/** What GitHub's archive of this commit will lack, one sentence per problem (empty: none found). */
function archiveProblems(gitmodules, gitattributes) {
    const problems = [];
    const submodules = gitmodules ? submodulePaths(gitmodules) : [];
    if (submodules.length > 0) {
        problems.push(`GitHub's archive leaves submodule folders empty: ${(0,lib_text/* listSome */.XT)(submodules, 5)} will be deployed empty`);
    }
    const lfs = gitattributes ? patternsWith(gitattributes, /^filter=lfs$/) : [];
    if (lfs.length > 0) {
        problems.push(`Git LFS files (${(0,lib_text/* listSome */.XT)(lfs, 5)}) are pointer files in GitHub's archive unless the repository includes LFS objects in archives (Settings → Archives)`);
    }
    const ignored = gitattributes ? patternsWith(gitattributes, /^export-ignore$/) : [];
    if (ignored.length > 0)
        problems.push(`export-ignore paths are left out of GitHub's archive: ${(0,lib_text/* listSome */.XT)(ignored, 5)}`);
    return problems;
}
/** Reads `.gitmodules` and `.gitattributes` at the commit; a file that cannot be read costs only the check. */
async function checkArchiveContents(github, repo, sha) {
    try {
        const [gitmodules, gitattributes] = await Promise.all([
            github.getFile(repo, '.gitmodules', sha),
            github.getFile(repo, '.gitattributes', sha)
        ]);
        return archiveProblems(gitmodules, gitattributes);
    }
    catch (err) {
        log/* debug */.Yz(`could not read .gitmodules/.gitattributes at ${sha}: ${(0,errors/* describeError */.Uc)(err)}`);
        return [];
    }
}

;// CONCATENATED MODULE: ./src/stages/decide.ts
function decide(i) {
    if (i.force)
        return { deploy: true };
    // Only a GitHub archive is named by its commit: a fresh artifact may differ while the commit is the same.
    if (i.kind !== 'github' || !i.sha || i.live?.git_ref !== i.sha)
        return { deploy: true };
    if (i.inFlight === undefined)
        return { deploy: true, why: 'cannot tell whether another deployment is on its way' };
    const replacing = i.inFlight.find(d => d.git_ref !== i.sha);
    if (replacing) {
        return {
            deploy: true,
            why: `${i.sha} is live, but deployment ${replacing.id} (${replacing.git_ref ?? 'another archive'}) is ${replacing.status} and will replace it`
        };
    }
    if (i.changedVariables.length > 0) {
        return {
            deploy: true,
            why: `${i.sha} is live, but variables change (${i.changedVariables.join(', ')}): deploying again so they take effect`
        };
    }
    return { deploy: false };
}

;// CONCATENATED MODULE: ./src/stages/changes.ts




/**
 * Whether a variable of the app changed after its live deployment started,
 * from the platform's own record (the app's events), not from this run's
 * memory: variables written by a run whose deployment was never created,
 * or edited by hand in the dashboard, are not running yet. Events are read
 * back to the live deployment's start and no further.
 */
const EVENTS_PER_PAGE = 50;
/** Pages read at most: past them, the answer is "cannot tell" (and the commit is deployed). */
const MAX_EVENT_PAGES = 10;
function time(iso) {
    const t = iso ? Date.parse(iso) : NaN;
    return Number.isNaN(t) ? NaN : t;
}
/** Reads the app's events back to `live`'s start; names (never values) of the variables changed since. */
async function variableChangesSince(client, live, ignore = []) {
    const since = time(live.created_at);
    if (Number.isNaN(since))
        return { changed: 'unknown', why: `deployment ${live.id} has no readable created_at` };
    const names = new Set();
    let latest = -Infinity;
    for (let page = 1; page <= MAX_EVENT_PAGES; page++) {
        let answer;
        try {
            answer = await client.listEvents(page, EVENTS_PER_PAGE);
        }
        catch (err) {
            return { changed: 'unknown', why: `the app's events could not be read (${(0,errors/* describeError */.Uc)(err)})` };
        }
        let oldest = Infinity;
        // The answer's order is not trusted: every event of the page is looked at.
        for (const e of answer.events) {
            const at = time(e.createdAt);
            if (Number.isNaN(at))
                continue;
            oldest = Math.min(oldest, at);
            if (at <= since || !scalingo_client/* VARIABLE_EVENTS */.Xy.includes(e.type))
                continue;
            // The action's own state (a review app's after-create mark) is not configuration.
            if (e.variableNames.length > 0 && e.variableNames.every(n => ignore.includes(n)))
                continue;
            for (const n of e.variableNames)
                if (!ignore.includes(n))
                    names.add(n);
            if (e.variableNames.length === 0)
                names.add('(unnamed)');
            latest = Math.max(latest, at);
        }
        if (oldest <= since || !answer.more)
            return summarize(names, latest);
    }
    if (names.size > 0)
        return summarize(names, latest);
    return {
        changed: 'unknown',
        why: `more than ${MAX_EVENT_PAGES * EVENTS_PER_PAGE} events since deployment ${live.id} started`
    };
}
function summarize(names, latest) {
    if (names.size === 0)
        return { changed: false };
    return { changed: true, names: [...names].sort(), latest: new Date(latest).toISOString() };
}
/** Why the live commit must be deployed again for its variables, or undefined when it need not. */
async function variablesNotLive(client, live, sha, ignore = []) {
    const changes = await variableChangesSince(client, live, ignore);
    if (changes.changed === false)
        return undefined;
    if (changes.changed === 'unknown') {
        log/* debug */.Yz(`variable changes since the live deployment: ${changes.why}`);
        return `${sha} is live, but whether a variable changed since deployment ${live.id} started cannot be told (${changes.why}): deploying again`;
    }
    return `${sha} is live, but variables changed after deployment ${live.id} started (${(0,lib_text/* listSome */.XT)(changes.names, 10)}; last at ${changes.latest}): deploying again so they take effect`;
}

// EXTERNAL MODULE: ./src/lib/clock.ts
var clock = __nccwpck_require__(4517);
// EXTERNAL MODULE: ./src/stages/health.ts
var health = __nccwpck_require__(6469);
// EXTERNAL MODULE: ./src/stages/transfer.ts
var stages_transfer = __nccwpck_require__(3316);
;// CONCATENATED MODULE: ./src/stages/plan.ts



/** What a dry run would do, one line per step, in the order a real run does them. */
function dryRunPlan(settings, { source, transfer, variables, archiveProblems, previousSha, decision }) {
    const plan = [
        `app: ${settings.app} in ${settings.region} (${settings.apiUrl}) — found, token accepted`,
        `commit: ${source.sha || '(not a GitHub commit)'}${source.gitRef && source.gitRef !== source.sha ? ` (git_ref ${source.gitRef})` : ''}`,
        source.kind === 'local'
            ? `archive: ${settings.archivePath} — checked`
            : `archive: ${source.archiveUrl}${source.kind === 'github' ? ` (${source.visibility})` : ''}${source.kind === 'github' && source.visibility === 'public' ? ' — served' : ''}`,
        ...archiveProblems.map(p => `warning: ${p}`),
        `transfer: ${(0,stages_transfer/* howTheArchiveTravels */.R3)(source, transfer)}`
    ];
    if (decision)
        plan.push(`decision: ${decision}`);
    if (variables.diff) {
        const changing = [...variables.diff.added, ...variables.diff.changed];
        plan.push(changing.length > 0
            ? `variables: ${changing.join(', ')} would be set (${variables.wanted.length - changing.length} already set)`
            : `variables: all ${variables.wanted.length} already set`);
    }
    if (settings.environment)
        plan.push(`GitHub deployment: would be recorded in "${settings.environment}"`);
    plan.push(settings.wait
        ? `then follow it for up to ${(0,clock/* formatDuration */.a3)(settings.timeoutSeconds * 1000)}`
        : 'then return without waiting');
    const check = settings.healthCheck;
    if (check) {
        plan.push(`health check: GET ${(0,health/* healthTarget */.QA)(check)} until it answers 2xx or 3xx, for up to ${(0,clock/* formatDuration */.a3)(check.timeoutSeconds * 1000)}`);
        plan.push(settings.rollback
            ? previousSha
                ? `rollback: if the check fails, deploy ${previousSha} (what runs now) again`
                : 'rollback: asked, but nothing can be rolled back to (no commit runs on the app now)'
            : 'rollback: no (rollback: false)');
    }
    return plan;
}

;// CONCATENATED MODULE: ./src/stages/promotion.ts



/** `promote-from`: the commit running on another app (staging), to ship as is. */
/** What runs on the promoted app (its `last_deployment_id`), and its commit. */
async function findPromotedCommit(staging) {
    const app = staging.config.app;
    await staging.exchange();
    const live = await (0,appstate/* liveDeployment */.Av)(staging, await staging.getApp());
    if (!live)
        throw new errors/* ActionError */.lZ(`app "${app}" has no successful deployment to promote`, 'deploy it there first, or check promote-from');
    const ref = live.git_ref ?? '';
    if (!(0,refs/* isFullSha */.Wf)(ref)) {
        throw new errors/* ActionError */.lZ(`what runs on "${app}" (deployment ${live.id}) has git_ref ${JSON.stringify(ref.slice(0, 80))}, not a commit SHA: it was deployed from an artifact, and promoting would rebuild from GitHub's source archive instead of shipping that artifact`, 'deploy the same archive to this app with archive-path or source-url instead');
    }
    return { sha: ref.toLowerCase(), deployment: live };
}

// EXTERNAL MODULE: ./src/stages/source.ts
var stages_source = __nccwpck_require__(162);
// EXTERNAL MODULE: ./src/stages/variables.ts
var variables = __nccwpck_require__(282);
// EXTERNAL MODULE: ./src/stages/workspace.ts
var workspace = __nccwpck_require__(574);
;// CONCATENATED MODULE: ./src/stages/prepare.ts



















/** The env-file and the local archive: checked before any request. */
async function readLocalInputs(ctx) {
    const { settings } = ctx;
    const envFile = settings.envFile ? (0,workspace/* readEnvFile */.SF)(settings.envFile, settings.workspace) : undefined;
    let localArchive;
    if (settings.archivePath) {
        const path = (0,workspace/* fileInWorkspace */.Zo)(settings.archivePath, settings.workspace, settings_inputs/* INPUTS */.mc.archivePath);
        localArchive = { ...(await (0,tar/* inspectArchive */.N9)(path, settings_inputs/* INPUTS */.mc.archivePath, ctx.deadline)), path };
    }
    return { envFile, localArchive };
}
/** The ref to deploy: the input, the workflow's commit, the commit a workflow_run tested, or what runs on the promoted app. */
async function refToDeploy(ctx) {
    const { settings, report } = ctx;
    const from = settings.promoteFrom;
    if (settings.refFrom === 'workflow-run' && !from)
        return (0,stages_source/* workflowRunHeadSha */.lv)(settings.workflow.eventPath);
    if (!from)
        return settings.ref;
    const inputs = { app: settings_inputs/* INPUTS */.mc.promoteFrom, region: settings_inputs/* INPUTS */.mc.promoteFromRegion, token: settings_inputs/* INPUTS */.mc.promoteFromApiToken };
    const staging = new scalingo_client/* ScalingoClient */.GK(ctx.http, { ...from, authUrl: settings.authUrl, clock: ctx.clock, inputs });
    const promoted = await findPromotedCommit(staging);
    const created = promoted.deployment.created_at;
    report.promotedFrom = `${from.app} (deployment ${promoted.deployment.id}${created ? `, ${created}` : ''})`;
    log/* info */.pq(`Promoting ${promoted.sha} from ${from.app}: its latest successful deployment ${promoted.deployment.id}${created ? `, created ${created}` : ''}`);
    return promoted.sha;
}
/** The commit and the archive that ship. */
async function resolveSource(ctx, local) {
    const { settings, report } = ctx;
    if (local.localArchive) {
        const a = local.localArchive;
        log/* info */.pq(`Deploying the local archive ${a.path} (${a.bytes} bytes, folder ${a.root}/ at its root)`);
        return (0,stages_source/* localSource */.j1)(settings);
    }
    if (settings.sourceUrl) {
        const source = (0,stages_source/* urlSource */.Lo)(settings, settings.sourceUrl);
        log/* info */.pq(`Deploying ${source.archiveUrl} (source-url given: GitHub is not consulted)`);
        return source;
    }
    if (settings.refFrom === 'workflow' && settings.workflow.event === 'pull_request' && !settings.promoteFrom) {
        log/* warning */.$e('On pull_request, GITHUB_SHA is a temporary merge commit of the pull request into its base branch: give ref to deploy a commit of the branch');
    }
    const ref = await refToDeploy(ctx);
    const repo = settings.repository;
    report.repository = (0,archives/* repoName */.Qq)(repo);
    report.ref = ref;
    const source = await (0,stages_source/* githubSource */.jM)(ctx.github, settings.githubServerUrl, repo, ref);
    (0,stages_source/* checkTagDidNotMove */.GT)(settings, source.sha);
    log/* info */.pq(`Deploying ${report.repository}@${ref === source.sha ? source.sha : `${ref} → ${source.sha}`}`);
    return source;
}
/** The variables this run sets, and what they would change on the app (names only ever printed). */
async function variablesToSet(ctx, local) {
    const wanted = (0,dotenv/* mergeVariables */.mc)(local.envFile?.variables ?? [], ctx.settings.variables);
    if (wanted.length === 0)
        return { wanted };
    const diff = (0,variables/* diffVariables */.hD)(await ctx.scalingo.listVariables(), wanted);
    return { wanted, diff, envFile: local.envFile?.path };
}
async function prepare(ctx) {
    const { settings, report } = ctx;
    report.dashboardUrl = (0,regions/* dashboardUrl */.aU)(settings.region, settings.app);
    const local = await readLocalInputs(ctx);
    const source = await resolveSource(ctx, local);
    report.sha = source.sha || undefined;
    report.archiveUrl = source.archiveUrl;
    const archiveProblems = source.kind === 'github' ? await checkArchiveContents(ctx.github, settings.repository, source.sha) : [];
    for (const problem of archiveProblems)
        log/* warning */.$e(problem, { title: 'GitHub archive' });
    report.archiveProblems = archiveProblems;
    await ctx.scalingo.exchange();
    const app = await ctx.scalingo.getApp();
    report.appUrl = app.url || app.base_url || undefined;
    const state = await (0,appstate/* readAppState */.p2)(ctx.scalingo, app);
    recordPrevious(ctx, source, state);
    const variables = await variablesToSet(ctx, local);
    const transfer = (0,stages_transfer/* chooseTransfer */.jW)(settings, source);
    if (source.kind === 'github' && (source.visibility !== 'public' || transfer === 'upload')) {
        log/* info */.pq(`${(0,archives/* repoName */.Qq)(settings.repository)} is ${source.visibility}: its archive is ${(0,stages_transfer/* howTheArchiveTravels */.R3)(source, transfer)}`);
    }
    const prepared = { decision: 'deploy', source, app, transfer, state, variables, archiveProblems, ...local };
    const decided = await decideFrom(ctx, prepared);
    if (settings.dryRun) {
        // A dry run plans whatever it finds, an already-live commit included.
        if (decided.deploy)
            await refuseDowngrade(ctx, source, state);
        await (0,stages_transfer/* checkArchiveServed */.U_)(ctx.http, source);
        report.status = 'dry-run';
        const decision = decided.deploy
            ? `would deploy${decided.why ? ` (${decided.why})` : ''}`
            : `would skip: ${skipReason(ctx, prepared)}`;
        report.plan = dryRunPlan(settings, { ...prepared, previousSha: report.previousSha, decision });
        log/* info */.pq(`Dry run: everything checked, nothing created.\n${report.plan.map(l => `  ${l}`).join('\n')}`);
        return { ...prepared, decision: 'dry-run' };
    }
    if (!decided.deploy) {
        recordSkip(ctx, prepared);
        return { ...prepared, decision: 'skip' };
    }
    if (decided.why)
        log/* info */.pq(decided.why);
    await refuseDowngrade(ctx, source, state);
    return prepared;
}
/** What ran before this run, and the links that show what this release changes. */
function recordPrevious(ctx, source, state) {
    const { settings, report } = ctx;
    const previous = state.live?.git_ref ?? '';
    if ((0,refs/* isFullSha */.Wf)(previous))
        report.previousSha = previous.toLowerCase();
    if (source.kind !== 'github')
        return;
    const repo = (0,archives/* repoWebUrl */.af)(settings.githubServerUrl, settings.repository);
    report.commitUrl = `${repo}/commit/${source.sha}`;
    if (report.previousSha && report.previousSha !== source.sha)
        report.compareUrl = `${repo}/compare/${report.previousSha}...${source.sha}`;
}
/**
 * The downgrade guard: a commit older than what runs (two release runs
 * finishing out of order, a stale re-run) is refused before anything is
 * created, unless `force`. Diverged history, or a compare GitHub cannot
 * make, is a warning.
 */
async function refuseDowngrade(ctx, source, state) {
    const live = ctx.report.previousSha;
    if (ctx.settings.reviewApp)
        return;
    if (source.kind !== 'github' || !live || live === source.sha || !state.live)
        return;
    let relation;
    try {
        relation = await ctx.github.compare(ctx.settings.repository, live, source.sha);
    }
    catch (err) {
        log/* debug */.Yz(`compare ${live}...${source.sha} failed: ${(0,errors/* describeError */.Uc)(err)}`);
        relation = undefined;
    }
    if (relation === 'behind') {
        if (ctx.settings.force)
            return log/* warning */.$e(`${source.sha} is older than ${live}, which runs now: deploying it anyway (force: true)`);
        throw new errors/* ActionError */.lZ(`${source.sha} is older than ${live}, which runs on ${ctx.settings.app} now: refusing to go back (release runs finishing out of order, or a stale re-run?)`, 'set force: true to deploy an older commit on purpose (a manual rollback)');
    }
    if (relation === 'diverged')
        log/* warning */.$e(`${source.sha} and ${live}, which runs now, have diverged: this deployment replaces commits that are not in it`);
    if (relation === undefined)
        log/* warning */.$e(`Could not compare ${source.sha} with ${live}, which runs now (no permission, or another repository): not checked for a downgrade`);
}
/**
 * The decision: deploy (and why, when it is not the obvious), or skip because
 * this exact commit, with these variables, is what runs. A skip is checked
 * against the app's events: a variable changed since the live deployment
 * started means that commit, as configured now, does not run yet.
 */
async function decideFrom(ctx, p) {
    const { settings } = ctx;
    const { live, recent, listError } = p.state;
    const changed = p.variables.diff ? [...p.variables.diff.added, ...p.variables.diff.changed] : [];
    const decision = decide({
        force: settings.force,
        kind: p.source.kind,
        sha: p.source.sha,
        live,
        inFlight: recent && (0,appstate/* inFlight */.CC)(recent),
        changedVariables: changed
    });
    if (listError) {
        const mattered = !settings.force && p.source.kind === 'github' && live?.git_ref === p.source.sha;
        if (mattered)
            log/* warning */.$e(`Could not check whether this commit is already live (${listError}); deploying it`);
        else
            log/* debug */.Yz(`could not list the app's deployments: ${listError}`);
    }
    if (decision.deploy)
        return listError ? { deploy: true } : decision;
    const own = settings.reviewApp?.ownVariables ?? [];
    const why = live ? await variablesNotLive(ctx.scalingo, live, p.source.sha, own) : undefined;
    return why ? { deploy: true, why } : decision;
}
function skipReason(ctx, p) {
    const live = p.state.live;
    return `${p.source.sha} is already live on ${ctx.settings.app} (deployment ${live?.id}${live?.created_at ? `, ${live.created_at}` : ''}), and no variable changed since; set force: true to deploy it again`;
}
function recordSkip(ctx, p) {
    const { report } = ctx;
    report.status = 'skipped';
    report.deploymentId = p.state.live?.id;
    report.variables = p.variables.diff ? (0,variables/* describeDiff */.l7)(p.variables.diff) : undefined;
    report.skipped = skipReason(ctx, p);
    log/* info */.pq(`Skipped: ${report.skipped}`);
}


/***/ }),

/***/ 162:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   GT: () => (/* binding */ checkTagDidNotMove),
/* harmony export */   Lo: () => (/* binding */ urlSource),
/* harmony export */   j1: () => (/* binding */ localSource),
/* harmony export */   jM: () => (/* binding */ githubSource),
/* harmony export */   lv: () => (/* binding */ workflowRunHeadSha)
/* harmony export */ });
/* unused harmony export artifactCommit */
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(3024);
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__nccwpck_require__.n(node_fs__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var _github_archives_js__WEBPACK_IMPORTED_MODULE_5__ = __nccwpck_require__(7592);
/* harmony import */ var _lib_errors_js__WEBPACK_IMPORTED_MODULE_1__ = __nccwpck_require__(7268);
/* harmony import */ var _lib_refs_js__WEBPACK_IMPORTED_MODULE_3__ = __nccwpck_require__(9265);
/* harmony import */ var _lib_secrets_js__WEBPACK_IMPORTED_MODULE_2__ = __nccwpck_require__(5714);
/* harmony import */ var _lib_urls_js__WEBPACK_IMPORTED_MODULE_4__ = __nccwpck_require__(1281);






/**
 * The commit an artifact comes from and its `git_ref`: the ref given (a
 * commit, or any ref made Docker-safe, with no commit known), else the
 * workflow's commit, labelled `-artifact`.
 */
function artifactCommit(settings) {
    const { ref, refFrom, workflow } = settings;
    if (refFrom === 'input') {
        // A commit given explicitly is still an artifact built from it, never its GitHub archive.
        return (0,_lib_refs_js__WEBPACK_IMPORTED_MODULE_3__/* .isFullSha */ .Wf)(ref)
            ? { sha: ref.toLowerCase(), gitRef: `${ref.toLowerCase()}-artifact` }
            : { sha: '', gitRef: (0,_lib_refs_js__WEBPACK_IMPORTED_MODULE_3__/* .dockerSafeRef */ .vJ)(ref) ?? null };
    }
    const sha = workflow.sha.toLowerCase();
    return (0,_lib_refs_js__WEBPACK_IMPORTED_MODULE_3__/* .isFullSha */ .Wf)(sha) ? { sha, gitRef: `${sha}-artifact` } : { sha: '', gitRef: null };
}
/** `source-url`: deployed as given. Only a secret when it carries credentials. */
function urlSource(settings, url) {
    const u = new URL(url);
    if (u.search || u.username || u.password)
        (0,_lib_secrets_js__WEBPACK_IMPORTED_MODULE_2__/* .registerSecretUrl */ .l2)(url);
    return { kind: 'url', ...artifactCommit(settings), archiveUrl: (0,_lib_urls_js__WEBPACK_IMPORTED_MODULE_4__/* .safeUrl */ .Pl)(url), visibility: 'unknown', url };
}
/** `archive-path`: uploaded later, when the app is ready for it. */
function localSource(settings) {
    return { kind: 'local', ...artifactCommit(settings), archiveUrl: '', visibility: 'unknown' };
}
/** A commit of a GitHub repository: its full SHA and visibility. The signed archive URL of a private one is minted later, just in time. */
async function githubSource(github, serverUrl, repo, ref) {
    const visibility = await github.getVisibility(repo);
    const sha = await github.resolveSha(repo, ref);
    return { kind: 'github', sha, gitRef: sha, archiveUrl: (0,_github_archives_js__WEBPACK_IMPORTED_MODULE_5__/* .publicArchiveUrl */ .HA)(serverUrl, repo, sha), visibility };
}
/** workflow_run: the commit CI tested (the run's head_sha), not GITHUB_SHA (the default branch's head). */
function workflowRunHeadSha(eventPath) {
    let sha;
    try {
        sha = JSON.parse((0,node_fs__WEBPACK_IMPORTED_MODULE_0__.readFileSync)(eventPath, 'utf8')).workflow_run
            ?.head_sha;
    }
    catch {
        throw new _lib_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .ActionError */ .lZ('this workflow runs on workflow_run, but its event payload (GITHUB_EVENT_PATH) could not be read to find the commit CI tested', 'give ref: ${{ github.event.workflow_run.head_sha }}');
    }
    if (typeof sha !== 'string' || !(0,_lib_refs_js__WEBPACK_IMPORTED_MODULE_3__/* .isFullSha */ .Wf)(sha)) {
        throw new _lib_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .ActionError */ .lZ('the workflow_run event has no head_sha commit to deploy', 'give ref: ${{ github.event.workflow_run.head_sha }}');
    }
    return sha.toLowerCase();
}
/**
 * On a tag push, a `ref` naming the workflow's own tag must still be the
 * commit the run was started for: the tag may have moved since, or a
 * branch of the same name wins (GitHub resolves a bare name to a branch first).
 */
function checkTagDidNotMove(settings, resolved) {
    const { workflow, ref, refFrom } = settings;
    if (refFrom !== 'input' || workflow.refType !== 'tag' || !(0,_lib_refs_js__WEBPACK_IMPORTED_MODULE_3__/* .isFullSha */ .Wf)(workflow.sha))
        return;
    // `v1.2.0`, `tags/v1.2.0` and `refs/tags/v1.2.0` are the same tag.
    if (!(0,_lib_refs_js__WEBPACK_IMPORTED_MODULE_3__/* .namesTag */ .dc)(ref, workflow.refName))
        return;
    if (resolved === workflow.sha.toLowerCase())
        return;
    throw new _lib_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .ActionError */ .lZ(`ref "${ref}" is the tag this workflow was pushed for, at ${workflow.sha.toLowerCase()}, but GitHub now resolves it to ${resolved}: the tag moved since the push, or a branch has the same name (GitHub resolves a bare name to the branch first)`, 'leave ref empty to deploy the commit the workflow runs for, or give the full SHA');
}


/***/ }),

/***/ 3316:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   C0: () => (/* binding */ sourceExpires),
/* harmony export */   R3: () => (/* binding */ howTheArchiveTravels),
/* harmony export */   U_: () => (/* binding */ checkArchiveServed),
/* harmony export */   Z: () => (/* binding */ downloadArchive),
/* harmony export */   al: () => (/* binding */ uploadFailure),
/* harmony export */   jW: () => (/* binding */ chooseTransfer),
/* harmony export */   wG: () => (/* binding */ uploadArchive)
/* harmony export */ });
/* unused harmony export scalingoReaches */
/* harmony import */ var _lib_log_js__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(1025);
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_1__ = __nccwpck_require__(3024);
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__nccwpck_require__.n(node_fs__WEBPACK_IMPORTED_MODULE_1__);
/* harmony import */ var node_fs_promises__WEBPACK_IMPORTED_MODULE_2__ = __nccwpck_require__(1455);
/* harmony import */ var node_fs_promises__WEBPACK_IMPORTED_MODULE_2___default = /*#__PURE__*/__nccwpck_require__.n(node_fs_promises__WEBPACK_IMPORTED_MODULE_2__);
/* harmony import */ var node_os__WEBPACK_IMPORTED_MODULE_3__ = __nccwpck_require__(8161);
/* harmony import */ var node_os__WEBPACK_IMPORTED_MODULE_3___default = /*#__PURE__*/__nccwpck_require__.n(node_os__WEBPACK_IMPORTED_MODULE_3__);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_4__ = __nccwpck_require__(6760);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_4___default = /*#__PURE__*/__nccwpck_require__.n(node_path__WEBPACK_IMPORTED_MODULE_4__);
/* harmony import */ var _lib_clock_js__WEBPACK_IMPORTED_MODULE_5__ = __nccwpck_require__(4517);
/* harmony import */ var _lib_errors_js__WEBPACK_IMPORTED_MODULE_6__ = __nccwpck_require__(7268);
/* harmony import */ var _lib_urls_js__WEBPACK_IMPORTED_MODULE_8__ = __nccwpck_require__(1281);
/* harmony import */ var _lib_tar_js__WEBPACK_IMPORTED_MODULE_7__ = __nccwpck_require__(8730);









/**
 * `archive-transfer: auto`: public archives on github.com by URL; private
 * ones uploaded (GitHub's signed URL expires in 5 minutes, a queued
 * deployment can wait longer), and everything from GitHub Enterprise Server
 * (Scalingo usually cannot reach it).
 */
function chooseTransfer(settings, source) {
    if (source.kind === 'local')
        return 'upload';
    if (source.kind === 'url')
        return 'url';
    const setting = settings.archiveTransfer;
    if (setting === 'url' || setting === 'upload')
        return setting;
    return source.visibility !== 'public' || !scalingoReaches(settings.githubServerUrl) ? 'upload' : 'url';
}
/**
 * Whether what Scalingo gets expires: a signed GitHub URL (5 minutes) or a
 * Scalingo source (10 minutes, then deleted). It must then be handed over
 * when the app is free to start the build.
 */
function sourceExpires(source, transfer) {
    if (source.kind === 'url')
        return false;
    return transfer === 'upload' || source.visibility !== 'public';
}
/**
 * Whether Scalingo can fetch archives from this GitHub: github.com, not a
 * GitHub Enterprise Server (usually private to its network). A loopback
 * GitHub (the sandbox) is reachable by the loopback Scalingo beside it.
 */
function scalingoReaches(githubServerUrl) {
    const host = new URL(githubServerUrl).hostname;
    return host === 'github.com' || (0,_lib_urls_js__WEBPACK_IMPORTED_MODULE_8__/* .isLoopbackHost */ .cW)(host);
}
/**
 * How the archive reaches Scalingo, in one sentence: the same words in the
 * log, the dry-run plan and the docs.
 */
function howTheArchiveTravels(source, transfer) {
    if (source.kind === 'local')
        return 'uploaded through Scalingo’s sources API once the app is free';
    if (source.kind === 'url')
        return 'fetched by Scalingo from the URL given';
    const signed = source.visibility !== 'public';
    if (transfer === 'upload') {
        return `downloaded in the runner${signed ? ' through a signed, short-lived GitHub URL (masked)' : ''}, then uploaded through Scalingo’s sources API once the app is free`;
    }
    return signed
        ? 'fetched by Scalingo through a signed, short-lived GitHub URL (masked), minted once the app is free'
        : 'fetched by Scalingo from its public URL';
}
/** A HEAD proves GitHub serves the public archive (dry run). */
async function checkArchiveServed(http, source) {
    if (source.kind !== 'github' || source.visibility !== 'public')
        return;
    const res = await http.request({
        method: 'HEAD',
        url: source.archiveUrl,
        retry: 'idempotent',
        accept: [301, 302, 303, 307, 308, 404, 403]
    });
    if (res.status >= 400)
        throw new _lib_errors_js__WEBPACK_IMPORTED_MODULE_6__/* .ActionError */ .lZ(`GitHub does not serve the archive ${source.archiveUrl} (${res.status})`);
}
function timedOut(what) {
    throw new _lib_errors_js__WEBPACK_IMPORTED_MODULE_6__/* .ActionError */ .lZ(`${what} did not finish before the timeout; nothing was created`);
}
/**
 * GitHub's tarball of the commit, from a freshly minted signed URL,
 * streamed to a file in the runner's temp dir and checked. Never held in memory.
 */
async function downloadArchive(http, github, repo, sha, tempDir, bounds) {
    const location = await github.signedTarballUrl(repo, sha);
    const dir = await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_2__.mkdtemp)((0,node_path__WEBPACK_IMPORTED_MODULE_4__.join)(tempDir || (0,node_os__WEBPACK_IMPORTED_MODULE_3__.tmpdir)(), 'scalingo-archive-'));
    const path = (0,node_path__WEBPACK_IMPORTED_MODULE_4__.join)(dir, `${sha}.tar.gz`);
    const body = await (0,_lib_clock_js__WEBPACK_IMPORTED_MODULE_5__/* .beforeDeadline */ .OJ)(http.raw({ method: 'GET', url: location, headers: { Accept: 'application/octet-stream' } }), bounds.deadline, bounds.clock, () => timedOut(`downloading the archive of ${sha}`));
    if ((body.statusCode ?? 0) !== 200) {
        body.resume();
        throw new _lib_errors_js__WEBPACK_IMPORTED_MODULE_6__/* .ActionError */ .lZ(`downloading the archive of ${sha} from GitHub failed (${body.statusCode})`);
    }
    const bytes = await (0,_lib_clock_js__WEBPACK_IMPORTED_MODULE_5__/* .beforeDeadline */ .OJ)((0,_lib_tar_js__WEBPACK_IMPORTED_MODULE_7__/* .saveTo */ .fn)(body, path), bounds.deadline, bounds.clock, () => {
        body.destroy();
        return timedOut(`downloading the archive of ${sha}`);
    });
    await (0,_lib_tar_js__WEBPACK_IMPORTED_MODULE_7__/* .inspectArchive */ .N9)(path, 'archive', bounds.deadline);
    _lib_log_js__WEBPACK_IMPORTED_MODULE_0__/* .info */ .pq(`Downloaded the archive of ${sha} (${bytes} bytes) to upload it`);
    return { path, bytes };
}
/**
 * Creates a Scalingo source (its 10 minutes start now) and streams the
 * archive to its signed upload URL; returns the signed download URL.
 */
async function uploadArchive(http, client, path, bounds) {
    const target = await client.createSource();
    const bytes = (0,node_fs__WEBPACK_IMPORTED_MODULE_1__.statSync)(path).size;
    await (0,_lib_clock_js__WEBPACK_IMPORTED_MODULE_5__/* .beforeDeadline */ .OJ)(http.putFile(target.uploadUrl, path, bytes, 'application/x-gzip'), bounds.deadline, bounds.clock, () => timedOut('uploading the archive'));
    _lib_log_js__WEBPACK_IMPORTED_MODULE_0__/* .info */ .pq(`Uploaded the archive (${bytes} bytes) through Scalingo's sources API`);
    return { downloadUrl: target.downloadUrl, bytes };
}
/** Why `auto` gave up the upload, for the warning that says it hands Scalingo a signed URL instead. */
function uploadFailure(err) {
    const missing = err instanceof _lib_errors_js__WEBPACK_IMPORTED_MODULE_6__/* .HttpError */ .j$ && (err.status === 404 || err.status === 405 || err.status === 501);
    return missing
        ? `Scalingo's sources API is not available (${err.status})`
        : `the upload failed (${(0,_lib_errors_js__WEBPACK_IMPORTED_MODULE_6__/* .describeError */ .Uc)(err)})`;
}


/***/ }),

/***/ 282:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   gT: () => (/* binding */ applyVariables),
/* harmony export */   hD: () => (/* binding */ diffVariables),
/* harmony export */   l7: () => (/* binding */ describeDiff)
/* harmony export */ });
/* harmony import */ var _lib_log_js__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(1025);

/** What setting these variables changes: names only (values are secrets). */
function diffVariables(current, wanted) {
    const now = new Map(current.map(v => [v.name, v.value]));
    const added = [];
    const changed = [];
    const unchanged = [];
    for (const v of wanted) {
        if (!now.has(v.name))
            added.push(v.name);
        else if (now.get(v.name) !== v.value)
            changed.push(v.name);
        else
            unchanged.push(v.name);
    }
    return { added, changed, unchanged };
}
/** One line for the log and the summary: names only. */
function describeDiff({ added, changed, unchanged }) {
    if (added.length + changed.length === 0)
        return `${unchanged.length} variables, all already set`;
    const parts = [
        added.length ? `added ${added.join(', ')}` : '',
        changed.length ? `changed ${changed.join(', ')}` : ''
    ].filter(Boolean);
    return `${parts.join('; ')}${unchanged.length ? ` (${unchanged.length} unchanged)` : ''}`;
}
/** Sets the variables that differ, in one bulk call; logs names only. Returns the line for the summary. */
async function applyVariables(client, wanted, diff, label) {
    const line = describeDiff(diff);
    const names = new Set([...diff.added, ...diff.changed]);
    if (names.size > 0)
        await client.setVariables(wanted.filter(v => names.has(v.name)), label);
    _lib_log_js__WEBPACK_IMPORTED_MODULE_0__/* .info */ .pq(`${label}: ${line}`);
    return line;
}


/***/ }),

/***/ 9790:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   M: () => (/* binding */ verify)
/* harmony export */ });
/* harmony import */ var _github_archives_js__WEBPACK_IMPORTED_MODULE_11__ = __nccwpck_require__(7592);
/* harmony import */ var _lib_clock_js__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(4517);
/* harmony import */ var _lib_errors_js__WEBPACK_IMPORTED_MODULE_1__ = __nccwpck_require__(7268);
/* harmony import */ var _lib_log_js__WEBPACK_IMPORTED_MODULE_2__ = __nccwpck_require__(1025);
/* harmony import */ var _lib_refs_js__WEBPACK_IMPORTED_MODULE_10__ = __nccwpck_require__(9265);
/* harmony import */ var _lib_version_js__WEBPACK_IMPORTED_MODULE_9__ = __nccwpck_require__(7471);
/* harmony import */ var _appstate_js__WEBPACK_IMPORTED_MODULE_3__ = __nccwpck_require__(6551);
/* harmony import */ var _deliver_js__WEBPACK_IMPORTED_MODULE_4__ = __nccwpck_require__(19);
/* harmony import */ var _follow_js__WEBPACK_IMPORTED_MODULE_5__ = __nccwpck_require__(3994);
/* harmony import */ var _health_js__WEBPACK_IMPORTED_MODULE_6__ = __nccwpck_require__(6469);
/* harmony import */ var _source_js__WEBPACK_IMPORTED_MODULE_7__ = __nccwpck_require__(162);
/* harmony import */ var _transfer_js__WEBPACK_IMPORTED_MODULE_8__ = __nccwpck_require__(3316);












/**
 * The verify stage: what "live" means beyond Scalingo's word. The health
 * check after a successful deployment, and, when it fails and `rollback` is
 * set, the commit that ran before deployed again. The run fails when the
 * check fails, rolled back or not.
 */
async function verify(ctx, prepared, ours) {
    const { settings, report } = ctx;
    const check = settings.healthCheck;
    if (!check)
        return;
    const url = (0,_health_js__WEBPACK_IMPORTED_MODULE_6__/* .healthUrl */ .gZ)(check, prepared.app);
    if (!url) {
        throw new _lib_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .ActionError */ .lZ(`health-check ${check.path} needs the app's URL, and Scalingo gave none that can be checked (https)`, 'give health-check a full https:// URL');
    }
    const target = (0,_health_js__WEBPACK_IMPORTED_MODULE_6__/* .healthTarget */ .QA)(check);
    const result = await (0,_health_js__WEBPACK_IMPORTED_MODULE_6__/* .checkHealth */ .Ns)(url, target, check.timeoutSeconds, ctx.clock, _lib_version_js__WEBPACK_IMPORTED_MODULE_9__/* .USER_AGENT */ ._);
    const took = (0,_lib_clock_js__WEBPACK_IMPORTED_MODULE_0__/* .formatDuration */ .a3)(result.elapsedMs);
    if (result.ok) {
        report.health = 'ok';
        report.healthDetail = `${target} ${result.last} (${result.tries === 1 ? 'first try' : `after ${result.tries} tries, ${took}`})`;
        _lib_log_js__WEBPACK_IMPORTED_MODULE_2__/* .info */ .pq(`Health check: ${report.healthDetail}`);
        return;
    }
    report.health = 'failed';
    report.healthDetail = `${target} ${result.last} for ${(0,_lib_clock_js__WEBPACK_IMPORTED_MODULE_0__/* .formatDuration */ .a3)(check.timeoutSeconds * 1000)} (${result.tries} tries)`;
    if (settings.rollback)
        await rollBack(ctx, prepared, ours);
    throw new _lib_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .ActionError */ .lZ(`health check failed: ${target} ${result.last} for ${(0,_lib_clock_js__WEBPACK_IMPORTED_MODULE_0__/* .formatDuration */ .a3)(check.timeoutSeconds * 1000)}${report.rolledBack ? `; rolled back to ${report.previousSha}` : ''}`, report.rolledBack
        ? 'the previous version runs again; the variables this run changed stay changed'
        : settings.rollback
            ? `no rollback: ${report.rollback}`
            : 'the new version is live but not healthy: check the app logs (scalingo logs), or set rollback: true', 'Health check failed');
}
/** Why a rollback cannot run, or undefined when it can. */
async function cannotRollBack(ctx, prepared, ours) {
    const previous = prepared.state.live;
    const sha = previous?.git_ref ?? '';
    if (!previous)
        return 'no deployment was live before this run';
    if (!(0,_lib_refs_js__WEBPACK_IMPORTED_MODULE_10__/* .isFullSha */ .Wf)(sha))
        return `what ran before (deployment ${previous.id}) has git_ref ${JSON.stringify(sha.slice(0, 60))}, not a commit SHA`;
    if (sha.toLowerCase() === prepared.source.sha)
        return `the commit that ran before is this same commit (${sha})`;
    const app = await ctx.scalingo.getApp();
    if (app.last_deployment_id !== ours.id) {
        return `deployment ${app.last_deployment_id ?? '(none)'} is live now, not ours (${ours.id}): someone deployed meanwhile, left as it is`;
    }
    try {
        await ctx.github.resolveSha(ctx.settings.repository, sha);
    }
    catch (err) {
        return `the previous commit ${sha} cannot be found in ${(0,_github_archives_js__WEBPACK_IMPORTED_MODULE_11__/* .repoName */ .Qq)(ctx.settings.repository)} (${(0,_lib_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .describeError */ .Uc)(err)})`;
    }
    return undefined;
}
/** Deploys the commit that ran before this run again, from its GitHub archive, at most once, and follows it. */
async function rollBack(ctx, prepared, ours) {
    const { settings, report } = ctx;
    const why = await cannotRollBack(ctx, prepared, ours);
    if (why) {
        report.rollback = `not done: ${why}`;
        _lib_log_js__WEBPACK_IMPORTED_MODULE_2__/* .info */ .pq(`Rollback not done: ${why}`);
        return;
    }
    const sha = (prepared.state.live?.git_ref ?? '').toLowerCase();
    _lib_log_js__WEBPACK_IMPORTED_MODULE_2__/* .info */ .pq(`Rolling back to ${sha}, which ran before this run (deployment ${prepared.state.live?.id}); the variables this run changed stay changed`);
    // The rollback has a timeout of its own, as long as the run's.
    ctx.deadline = ctx.clock.now() + settings.timeoutSeconds * 1000;
    ctx.http.deadline = ctx.deadline;
    try {
        const source = await (0,_source_js__WEBPACK_IMPORTED_MODULE_7__/* .githubSource */ .jM)(ctx.github, settings.githubServerUrl, settings.repository, sha);
        const app = await ctx.scalingo.getApp();
        const state = await (0,_appstate_js__WEBPACK_IMPORTED_MODULE_3__/* .readAppState */ .p2)(ctx.scalingo, app);
        const transfer = (0,_transfer_js__WEBPACK_IMPORTED_MODULE_8__/* .chooseTransfer */ .jW)(settings, source);
        const again = {
            ...prepared,
            decision: 'deploy',
            source,
            app,
            transfer,
            state,
            localArchive: undefined,
            archiveProblems: []
        };
        const { deployment, stream } = await (0,_deliver_js__WEBPACK_IMPORTED_MODULE_4__/* .createDeployment */ .Y)(ctx, again);
        _lib_log_js__WEBPACK_IMPORTED_MODULE_2__/* .info */ .pq(`Created rollback deployment ${deployment.id} of ${settings.app}: ${deployment.status}`);
        await (0,_follow_js__WEBPACK_IMPORTED_MODULE_5__/* .followToEnd */ .c)(ctx, deployment, stream, 'rollback');
        report.rolledBack = true;
        report.rollback = `deployment ${deployment.id} of ${sha} succeeded`;
        _lib_log_js__WEBPACK_IMPORTED_MODULE_2__/* .info */ .pq(`Rolled back: ${settings.app} runs ${sha} again (deployment ${deployment.id})`);
    }
    catch (err) {
        report.rollback = `failed: ${(0,_lib_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .describeError */ .Uc)(err)}`;
        _lib_log_js__WEBPACK_IMPORTED_MODULE_2__/* .warning */ .$e(`The rollback to ${sha} failed: ${(0,_lib_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .describeError */ .Uc)(err)}`);
    }
}


/***/ }),

/***/ 574:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   SF: () => (/* binding */ readEnvFile),
/* harmony export */   Zo: () => (/* binding */ fileInWorkspace)
/* harmony export */ });
/* unused harmony export readWorkspaceFile */
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(3024);
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__nccwpck_require__.n(node_fs__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_1__ = __nccwpck_require__(6760);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__nccwpck_require__.n(node_path__WEBPACK_IMPORTED_MODULE_1__);
/* harmony import */ var _lib_errors_js__WEBPACK_IMPORTED_MODULE_2__ = __nccwpck_require__(7268);
/* harmony import */ var _lib_secrets_js__WEBPACK_IMPORTED_MODULE_3__ = __nccwpck_require__(5714);
/* harmony import */ var _lib_text_js__WEBPACK_IMPORTED_MODULE_4__ = __nccwpck_require__(9112);
/* harmony import */ var _settings_dotenv_js__WEBPACK_IMPORTED_MODULE_5__ = __nccwpck_require__(6443);
/* harmony import */ var _settings_inputs_js__WEBPACK_IMPORTED_MODULE_6__ = __nccwpck_require__(7428);







/** Files the workflow gives us: read only from inside the workspace. */
const MAX_ENV_FILE_BYTES = 1024 * 1024;
/**
 * The real path of a file given as an input, which must be inside the
 * workspace: no `../` escape, no symlink pointing out (a pull request's
 * author controls the workspace's files).
 */
function fileInWorkspace(input, workspace, name) {
    const path = (0,node_path__WEBPACK_IMPORTED_MODULE_1__.isAbsolute)(input) ? input : (0,node_path__WEBPACK_IMPORTED_MODULE_1__.resolve)(workspace, input);
    let real;
    try {
        real = (0,node_fs__WEBPACK_IMPORTED_MODULE_0__.realpathSync)(path);
    }
    catch {
        throw new _lib_errors_js__WEBPACK_IMPORTED_MODULE_2__/* .InputError */ .dz(name, `${(0,_lib_text_js__WEBPACK_IMPORTED_MODULE_4__/* .quote */ .hD)(input, 80)} was not found in the workspace`);
    }
    const inside = (0,node_path__WEBPACK_IMPORTED_MODULE_1__.relative)((0,node_fs__WEBPACK_IMPORTED_MODULE_0__.realpathSync)(workspace), real);
    if (inside.startsWith('..') || (0,node_path__WEBPACK_IMPORTED_MODULE_1__.isAbsolute)(inside))
        throw new _lib_errors_js__WEBPACK_IMPORTED_MODULE_2__/* .InputError */ .dz(name, 'must be a file inside the workspace');
    if (!(0,node_fs__WEBPACK_IMPORTED_MODULE_0__.statSync)(real).isFile())
        throw new _lib_errors_js__WEBPACK_IMPORTED_MODULE_2__/* .InputError */ .dz(name, 'must be a file');
    return real;
}
/** Reads a text file from inside the workspace. */
function readWorkspaceFile(input, workspace, name) {
    const real = fileInWorkspace(input, workspace, name);
    if ((0,node_fs__WEBPACK_IMPORTED_MODULE_0__.statSync)(real).size > MAX_ENV_FILE_BYTES)
        throw new _lib_errors_js__WEBPACK_IMPORTED_MODULE_2__/* .InputError */ .dz(name, 'is larger than 1 MB');
    return { path: real, text: (0,node_fs__WEBPACK_IMPORTED_MODULE_0__.readFileSync)(real, 'utf8') };
}
/** `env-file`: read from the workspace, parsed as `scalingo env-set --file` does, its values masked. */
function readEnvFile(input, workspace) {
    const { path, text } = readWorkspaceFile(input, workspace, _settings_inputs_js__WEBPACK_IMPORTED_MODULE_6__/* .INPUTS */ .mc.envFile);
    const variables = (0,_settings_dotenv_js__WEBPACK_IMPORTED_MODULE_5__/* .parseDotenv */ .qd)(text, _settings_inputs_js__WEBPACK_IMPORTED_MODULE_6__/* .INPUTS */ .mc.envFile);
    (0,_lib_secrets_js__WEBPACK_IMPORTED_MODULE_3__/* .registerSecrets */ .dg)(variables.map(v => v.value));
    return { path, variables };
}


/***/ }),

/***/ 8327:
/***/ ((module) => {

module.exports = eval("require")("bufferutil");


/***/ }),

/***/ 2414:
/***/ ((module) => {

module.exports = eval("require")("utf-8-validate");


/***/ }),

/***/ 2613:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("assert");

/***/ }),

/***/ 181:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("buffer");

/***/ }),

/***/ 6982:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("crypto");

/***/ }),

/***/ 4434:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("events");

/***/ }),

/***/ 8611:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("http");

/***/ }),

/***/ 5692:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("https");

/***/ }),

/***/ 9278:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("net");

/***/ }),

/***/ 3024:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:fs");

/***/ }),

/***/ 1455:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:fs/promises");

/***/ }),

/***/ 8161:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:os");

/***/ }),

/***/ 6760:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:path");

/***/ }),

/***/ 6193:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:string_decoder");

/***/ }),

/***/ 3136:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:url");

/***/ }),

/***/ 3480:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("querystring");

/***/ }),

/***/ 2203:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("stream");

/***/ }),

/***/ 4756:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("tls");

/***/ }),

/***/ 7016:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("url");

/***/ }),

/***/ 9023:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("util");

/***/ }),

/***/ 3106:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("zlib");

/***/ }),

/***/ 2313:
/***/ ((__unused_webpack___webpack_module__, __webpack_exports__, __nccwpck_require__) => {


// EXPORTS
__nccwpck_require__.d(__webpack_exports__, {
  Yz: () => (/* binding */ core_debug),
  z3: () => (/* binding */ error),
  V4: () => (/* binding */ getInput),
  pq: () => (/* binding */ info),
  lm: () => (/* binding */ notice),
  C1: () => (/* binding */ setFailed),
  uH: () => (/* binding */ setOutput),
  Pq: () => (/* binding */ core_setSecret),
  z: () => (/* reexport */ summary),
  $e: () => (/* binding */ warning)
});

// UNUSED EXPORTS: ExitCode, addPath, endGroup, exportVariable, getBooleanInput, getIDToken, getMultilineInput, getState, group, isDebug, markdownSummary, platform, saveState, setCommandEcho, startGroup, toPlatformPath, toPosixPath, toWin32Path

;// CONCATENATED MODULE: external "os"
const external_os_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("os");
;// CONCATENATED MODULE: ./node_modules/@actions/core/lib/utils.js
// We use any as a valid input type
/* eslint-disable @typescript-eslint/no-explicit-any */
/**
 * Sanitizes an input into a string so it can be passed into issueCommand safely
 * @param input input to sanitize into a string
 */
function utils_toCommandValue(input) {
    if (input === null || input === undefined) {
        return '';
    }
    else if (typeof input === 'string' || input instanceof String) {
        return input;
    }
    return JSON.stringify(input);
}
/**
 *
 * @param annotationProperties
 * @returns The command properties to send with the actual annotation command
 * See IssueCommandProperties: https://github.com/actions/runner/blob/main/src/Runner.Worker/ActionCommandManager.cs#L646
 */
function toCommandProperties(annotationProperties) {
    if (!Object.keys(annotationProperties).length) {
        return {};
    }
    return {
        title: annotationProperties.title,
        file: annotationProperties.file,
        line: annotationProperties.startLine,
        endLine: annotationProperties.endLine,
        col: annotationProperties.startColumn,
        endColumn: annotationProperties.endColumn
    };
}
//# sourceMappingURL=utils.js.map
;// CONCATENATED MODULE: ./node_modules/@actions/core/lib/command.js


/**
 * Issues a command to the GitHub Actions runner
 *
 * @param command - The command name to issue
 * @param properties - Additional properties for the command (key-value pairs)
 * @param message - The message to include with the command
 * @remarks
 * This function outputs a specially formatted string to stdout that the Actions
 * runner interprets as a command. These commands can control workflow behavior,
 * set outputs, create annotations, mask values, and more.
 *
 * Command Format:
 *   ::name key=value,key=value::message
 *
 * @example
 * ```typescript
 * // Issue a warning annotation
 * issueCommand('warning', {}, 'This is a warning message');
 * // Output: ::warning::This is a warning message
 *
 * // Set an environment variable
 * issueCommand('set-env', { name: 'MY_VAR' }, 'some value');
 * // Output: ::set-env name=MY_VAR::some value
 *
 * // Add a secret mask
 * issueCommand('add-mask', {}, 'secretValue123');
 * // Output: ::add-mask::secretValue123
 * ```
 *
 * @internal
 * This is an internal utility function that powers the public API functions
 * such as setSecret, warning, error, and exportVariable.
 */
function command_issueCommand(command, properties, message) {
    const cmd = new Command(command, properties, message);
    process.stdout.write(cmd.toString() + external_os_namespaceObject.EOL);
}
function command_issue(name, message = '') {
    command_issueCommand(name, {}, message);
}
const CMD_STRING = '::';
class Command {
    constructor(command, properties, message) {
        if (!command) {
            command = 'missing.command';
        }
        this.command = command;
        this.properties = properties;
        this.message = message;
    }
    toString() {
        let cmdStr = CMD_STRING + this.command;
        if (this.properties && Object.keys(this.properties).length > 0) {
            cmdStr += ' ';
            let first = true;
            for (const key in this.properties) {
                if (this.properties.hasOwnProperty(key)) {
                    const val = this.properties[key];
                    if (val) {
                        if (first) {
                            first = false;
                        }
                        else {
                            cmdStr += ',';
                        }
                        cmdStr += `${key}=${escapeProperty(val)}`;
                    }
                }
            }
        }
        cmdStr += `${CMD_STRING}${escapeData(this.message)}`;
        return cmdStr;
    }
}
function escapeData(s) {
    return utils_toCommandValue(s)
        .replace(/%/g, '%25')
        .replace(/\r/g, '%0D')
        .replace(/\n/g, '%0A');
}
function escapeProperty(s) {
    return utils_toCommandValue(s)
        .replace(/%/g, '%25')
        .replace(/\r/g, '%0D')
        .replace(/\n/g, '%0A')
        .replace(/:/g, '%3A')
        .replace(/,/g, '%2C');
}
//# sourceMappingURL=command.js.map
// EXTERNAL MODULE: external "crypto"
var external_crypto_ = __nccwpck_require__(6982);
;// CONCATENATED MODULE: external "fs"
const external_fs_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("fs");
;// CONCATENATED MODULE: ./node_modules/@actions/core/lib/file-command.js
// For internal use, subject to change.
// We use any as a valid input type
/* eslint-disable @typescript-eslint/no-explicit-any */




function file_command_issueFileCommand(command, message) {
    const filePath = process.env[`GITHUB_${command}`];
    if (!filePath) {
        throw new Error(`Unable to find environment variable for file command ${command}`);
    }
    if (!external_fs_namespaceObject.existsSync(filePath)) {
        throw new Error(`Missing file at path: ${filePath}`);
    }
    external_fs_namespaceObject.appendFileSync(filePath, `${utils_toCommandValue(message)}${external_os_namespaceObject.EOL}`, {
        encoding: 'utf8'
    });
}
function file_command_prepareKeyValueMessage(key, value) {
    const delimiter = `ghadelimiter_${external_crypto_.randomUUID()}`;
    const convertedValue = utils_toCommandValue(value);
    // These should realistically never happen, but just in case someone finds a
    // way to exploit uuid generation let's not allow keys or values that contain
    // the delimiter.
    if (key.includes(delimiter)) {
        throw new Error(`Unexpected input: name should not contain the delimiter "${delimiter}"`);
    }
    if (convertedValue.includes(delimiter)) {
        throw new Error(`Unexpected input: value should not contain the delimiter "${delimiter}"`);
    }
    return `${key}<<${delimiter}${external_os_namespaceObject.EOL}${convertedValue}${external_os_namespaceObject.EOL}${delimiter}`;
}
//# sourceMappingURL=file-command.js.map
;// CONCATENATED MODULE: external "path"
const external_path_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("path");
// EXTERNAL MODULE: ./node_modules/@actions/http-client/lib/index.js + 1 modules
var lib = __nccwpck_require__(4942);
;// CONCATENATED MODULE: ./node_modules/@actions/http-client/lib/auth.js
var __awaiter = (undefined && undefined.__awaiter) || function (thisArg, _arguments, P, generator) {
    function adopt(value) { return value instanceof P ? value : new P(function (resolve) { resolve(value); }); }
    return new (P || (P = Promise))(function (resolve, reject) {
        function fulfilled(value) { try { step(generator.next(value)); } catch (e) { reject(e); } }
        function rejected(value) { try { step(generator["throw"](value)); } catch (e) { reject(e); } }
        function step(result) { result.done ? resolve(result.value) : adopt(result.value).then(fulfilled, rejected); }
        step((generator = generator.apply(thisArg, _arguments || [])).next());
    });
};
class BasicCredentialHandler {
    constructor(username, password) {
        this.username = username;
        this.password = password;
    }
    prepareRequest(options) {
        if (!options.headers) {
            throw Error('The request has no headers');
        }
        options.headers['Authorization'] = `Basic ${Buffer.from(`${this.username}:${this.password}`).toString('base64')}`;
    }
    // This handler cannot handle 401
    canHandleAuthentication() {
        return false;
    }
    handleAuthentication() {
        return __awaiter(this, void 0, void 0, function* () {
            throw new Error('not implemented');
        });
    }
}
class auth_BearerCredentialHandler {
    constructor(token) {
        this.token = token;
    }
    // currently implements pre-authorization
    // TODO: support preAuth = false where it hooks on 401
    prepareRequest(options) {
        if (!options.headers) {
            throw Error('The request has no headers');
        }
        options.headers['Authorization'] = `Bearer ${this.token}`;
    }
    // This handler cannot handle 401
    canHandleAuthentication() {
        return false;
    }
    handleAuthentication() {
        return __awaiter(this, void 0, void 0, function* () {
            throw new Error('not implemented');
        });
    }
}
class PersonalAccessTokenCredentialHandler {
    constructor(token) {
        this.token = token;
    }
    // currently implements pre-authorization
    // TODO: support preAuth = false where it hooks on 401
    prepareRequest(options) {
        if (!options.headers) {
            throw Error('The request has no headers');
        }
        options.headers['Authorization'] = `Basic ${Buffer.from(`PAT:${this.token}`).toString('base64')}`;
    }
    // This handler cannot handle 401
    canHandleAuthentication() {
        return false;
    }
    handleAuthentication() {
        return __awaiter(this, void 0, void 0, function* () {
            throw new Error('not implemented');
        });
    }
}
//# sourceMappingURL=auth.js.map
;// CONCATENATED MODULE: ./node_modules/@actions/core/lib/oidc-utils.js
var oidc_utils_awaiter = (undefined && undefined.__awaiter) || function (thisArg, _arguments, P, generator) {
    function adopt(value) { return value instanceof P ? value : new P(function (resolve) { resolve(value); }); }
    return new (P || (P = Promise))(function (resolve, reject) {
        function fulfilled(value) { try { step(generator.next(value)); } catch (e) { reject(e); } }
        function rejected(value) { try { step(generator["throw"](value)); } catch (e) { reject(e); } }
        function step(result) { result.done ? resolve(result.value) : adopt(result.value).then(fulfilled, rejected); }
        step((generator = generator.apply(thisArg, _arguments || [])).next());
    });
};



class oidc_utils_OidcClient {
    static createHttpClient(allowRetry = true, maxRetry = 10) {
        const requestOptions = {
            allowRetries: allowRetry,
            maxRetries: maxRetry
        };
        return new HttpClient('actions/oidc-client', [new BearerCredentialHandler(oidc_utils_OidcClient.getRequestToken())], requestOptions);
    }
    static getRequestToken() {
        const token = process.env['ACTIONS_ID_TOKEN_REQUEST_TOKEN'];
        if (!token) {
            throw new Error('Unable to get ACTIONS_ID_TOKEN_REQUEST_TOKEN env variable');
        }
        return token;
    }
    static getIDTokenUrl() {
        const runtimeUrl = process.env['ACTIONS_ID_TOKEN_REQUEST_URL'];
        if (!runtimeUrl) {
            throw new Error('Unable to get ACTIONS_ID_TOKEN_REQUEST_URL env variable');
        }
        return runtimeUrl;
    }
    static getCall(id_token_url) {
        return oidc_utils_awaiter(this, void 0, void 0, function* () {
            var _a;
            const httpclient = oidc_utils_OidcClient.createHttpClient();
            const res = yield httpclient
                .getJson(id_token_url)
                .catch(error => {
                throw new Error(`Failed to get ID Token. \n 
        Error Code : ${error.statusCode}\n 
        Error Message: ${error.message}`);
            });
            const id_token = (_a = res.result) === null || _a === void 0 ? void 0 : _a.value;
            if (!id_token) {
                throw new Error('Response json body do not have ID Token field');
            }
            return id_token;
        });
    }
    static getIDToken(audience) {
        return oidc_utils_awaiter(this, void 0, void 0, function* () {
            try {
                // New ID Token is requested from action service
                let id_token_url = oidc_utils_OidcClient.getIDTokenUrl();
                if (audience) {
                    const encodedAudience = encodeURIComponent(audience);
                    id_token_url = `${id_token_url}&audience=${encodedAudience}`;
                }
                debug(`ID token url is ${id_token_url}`);
                const id_token = yield oidc_utils_OidcClient.getCall(id_token_url);
                setSecret(id_token);
                return id_token;
            }
            catch (error) {
                throw new Error(`Error message: ${error.message}`);
            }
        });
    }
}
//# sourceMappingURL=oidc-utils.js.map
;// CONCATENATED MODULE: ./node_modules/@actions/core/lib/summary.js
var summary_awaiter = (undefined && undefined.__awaiter) || function (thisArg, _arguments, P, generator) {
    function adopt(value) { return value instanceof P ? value : new P(function (resolve) { resolve(value); }); }
    return new (P || (P = Promise))(function (resolve, reject) {
        function fulfilled(value) { try { step(generator.next(value)); } catch (e) { reject(e); } }
        function rejected(value) { try { step(generator["throw"](value)); } catch (e) { reject(e); } }
        function step(result) { result.done ? resolve(result.value) : adopt(result.value).then(fulfilled, rejected); }
        step((generator = generator.apply(thisArg, _arguments || [])).next());
    });
};


const { access, appendFile, writeFile } = external_fs_namespaceObject.promises;
const SUMMARY_ENV_VAR = 'GITHUB_STEP_SUMMARY';
const SUMMARY_DOCS_URL = 'https://docs.github.com/actions/using-workflows/workflow-commands-for-github-actions#adding-a-job-summary';
class Summary {
    constructor() {
        this._buffer = '';
    }
    /**
     * Finds the summary file path from the environment, rejects if env var is not found or file does not exist
     * Also checks r/w permissions.
     *
     * @returns step summary file path
     */
    filePath() {
        return summary_awaiter(this, void 0, void 0, function* () {
            if (this._filePath) {
                return this._filePath;
            }
            const pathFromEnv = process.env[SUMMARY_ENV_VAR];
            if (!pathFromEnv) {
                throw new Error(`Unable to find environment variable for $${SUMMARY_ENV_VAR}. Check if your runtime environment supports job summaries.`);
            }
            try {
                yield access(pathFromEnv, external_fs_namespaceObject.constants.R_OK | external_fs_namespaceObject.constants.W_OK);
            }
            catch (_a) {
                throw new Error(`Unable to access summary file: '${pathFromEnv}'. Check if the file has correct read/write permissions.`);
            }
            this._filePath = pathFromEnv;
            return this._filePath;
        });
    }
    /**
     * Wraps content in an HTML tag, adding any HTML attributes
     *
     * @param {string} tag HTML tag to wrap
     * @param {string | null} content content within the tag
     * @param {[attribute: string]: string} attrs key-value list of HTML attributes to add
     *
     * @returns {string} content wrapped in HTML element
     */
    wrap(tag, content, attrs = {}) {
        const htmlAttrs = Object.entries(attrs)
            .map(([key, value]) => ` ${key}="${value}"`)
            .join('');
        if (!content) {
            return `<${tag}${htmlAttrs}>`;
        }
        return `<${tag}${htmlAttrs}>${content}</${tag}>`;
    }
    /**
     * Writes text in the buffer to the summary buffer file and empties buffer. Will append by default.
     *
     * @param {SummaryWriteOptions} [options] (optional) options for write operation
     *
     * @returns {Promise<Summary>} summary instance
     */
    write(options) {
        return summary_awaiter(this, void 0, void 0, function* () {
            const overwrite = !!(options === null || options === void 0 ? void 0 : options.overwrite);
            const filePath = yield this.filePath();
            const writeFunc = overwrite ? writeFile : appendFile;
            yield writeFunc(filePath, this._buffer, { encoding: 'utf8' });
            return this.emptyBuffer();
        });
    }
    /**
     * Clears the summary buffer and wipes the summary file
     *
     * @returns {Summary} summary instance
     */
    clear() {
        return summary_awaiter(this, void 0, void 0, function* () {
            return this.emptyBuffer().write({ overwrite: true });
        });
    }
    /**
     * Returns the current summary buffer as a string
     *
     * @returns {string} string of summary buffer
     */
    stringify() {
        return this._buffer;
    }
    /**
     * If the summary buffer is empty
     *
     * @returns {boolen} true if the buffer is empty
     */
    isEmptyBuffer() {
        return this._buffer.length === 0;
    }
    /**
     * Resets the summary buffer without writing to summary file
     *
     * @returns {Summary} summary instance
     */
    emptyBuffer() {
        this._buffer = '';
        return this;
    }
    /**
     * Adds raw text to the summary buffer
     *
     * @param {string} text content to add
     * @param {boolean} [addEOL=false] (optional) append an EOL to the raw text (default: false)
     *
     * @returns {Summary} summary instance
     */
    addRaw(text, addEOL = false) {
        this._buffer += text;
        return addEOL ? this.addEOL() : this;
    }
    /**
     * Adds the operating system-specific end-of-line marker to the buffer
     *
     * @returns {Summary} summary instance
     */
    addEOL() {
        return this.addRaw(external_os_namespaceObject.EOL);
    }
    /**
     * Adds an HTML codeblock to the summary buffer
     *
     * @param {string} code content to render within fenced code block
     * @param {string} lang (optional) language to syntax highlight code
     *
     * @returns {Summary} summary instance
     */
    addCodeBlock(code, lang) {
        const attrs = Object.assign({}, (lang && { lang }));
        const element = this.wrap('pre', this.wrap('code', code), attrs);
        return this.addRaw(element).addEOL();
    }
    /**
     * Adds an HTML list to the summary buffer
     *
     * @param {string[]} items list of items to render
     * @param {boolean} [ordered=false] (optional) if the rendered list should be ordered or not (default: false)
     *
     * @returns {Summary} summary instance
     */
    addList(items, ordered = false) {
        const tag = ordered ? 'ol' : 'ul';
        const listItems = items.map(item => this.wrap('li', item)).join('');
        const element = this.wrap(tag, listItems);
        return this.addRaw(element).addEOL();
    }
    /**
     * Adds an HTML table to the summary buffer
     *
     * @param {SummaryTableCell[]} rows table rows
     *
     * @returns {Summary} summary instance
     */
    addTable(rows) {
        const tableBody = rows
            .map(row => {
            const cells = row
                .map(cell => {
                if (typeof cell === 'string') {
                    return this.wrap('td', cell);
                }
                const { header, data, colspan, rowspan } = cell;
                const tag = header ? 'th' : 'td';
                const attrs = Object.assign(Object.assign({}, (colspan && { colspan })), (rowspan && { rowspan }));
                return this.wrap(tag, data, attrs);
            })
                .join('');
            return this.wrap('tr', cells);
        })
            .join('');
        const element = this.wrap('table', tableBody);
        return this.addRaw(element).addEOL();
    }
    /**
     * Adds a collapsable HTML details element to the summary buffer
     *
     * @param {string} label text for the closed state
     * @param {string} content collapsable content
     *
     * @returns {Summary} summary instance
     */
    addDetails(label, content) {
        const element = this.wrap('details', this.wrap('summary', label) + content);
        return this.addRaw(element).addEOL();
    }
    /**
     * Adds an HTML image tag to the summary buffer
     *
     * @param {string} src path to the image you to embed
     * @param {string} alt text description of the image
     * @param {SummaryImageOptions} options (optional) addition image attributes
     *
     * @returns {Summary} summary instance
     */
    addImage(src, alt, options) {
        const { width, height } = options || {};
        const attrs = Object.assign(Object.assign({}, (width && { width })), (height && { height }));
        const element = this.wrap('img', null, Object.assign({ src, alt }, attrs));
        return this.addRaw(element).addEOL();
    }
    /**
     * Adds an HTML section heading element
     *
     * @param {string} text heading text
     * @param {number | string} [level=1] (optional) the heading level, default: 1
     *
     * @returns {Summary} summary instance
     */
    addHeading(text, level) {
        const tag = `h${level}`;
        const allowedTag = ['h1', 'h2', 'h3', 'h4', 'h5', 'h6'].includes(tag)
            ? tag
            : 'h1';
        const element = this.wrap(allowedTag, text);
        return this.addRaw(element).addEOL();
    }
    /**
     * Adds an HTML thematic break (<hr>) to the summary buffer
     *
     * @returns {Summary} summary instance
     */
    addSeparator() {
        const element = this.wrap('hr', null);
        return this.addRaw(element).addEOL();
    }
    /**
     * Adds an HTML line break (<br>) to the summary buffer
     *
     * @returns {Summary} summary instance
     */
    addBreak() {
        const element = this.wrap('br', null);
        return this.addRaw(element).addEOL();
    }
    /**
     * Adds an HTML blockquote to the summary buffer
     *
     * @param {string} text quote text
     * @param {string} cite (optional) citation url
     *
     * @returns {Summary} summary instance
     */
    addQuote(text, cite) {
        const attrs = Object.assign({}, (cite && { cite }));
        const element = this.wrap('blockquote', text, attrs);
        return this.addRaw(element).addEOL();
    }
    /**
     * Adds an HTML anchor tag to the summary buffer
     *
     * @param {string} text link text/content
     * @param {string} href hyperlink
     *
     * @returns {Summary} summary instance
     */
    addLink(text, href) {
        const element = this.wrap('a', text, { href });
        return this.addRaw(element).addEOL();
    }
}
const _summary = new Summary();
/**
 * @deprecated use `core.summary`
 */
const markdownSummary = (/* unused pure expression or super */ null && (_summary));
const summary = _summary;
//# sourceMappingURL=summary.js.map
;// CONCATENATED MODULE: ./node_modules/@actions/core/lib/path-utils.js

/**
 * toPosixPath converts the given path to the posix form. On Windows, \\ will be
 * replaced with /.
 *
 * @param pth. Path to transform.
 * @return string Posix path.
 */
function toPosixPath(pth) {
    return pth.replace(/[\\]/g, '/');
}
/**
 * toWin32Path converts the given path to the win32 form. On Linux, / will be
 * replaced with \\.
 *
 * @param pth. Path to transform.
 * @return string Win32 path.
 */
function toWin32Path(pth) {
    return pth.replace(/[/]/g, '\\');
}
/**
 * toPlatformPath converts the given path to a platform-specific path. It does
 * this by replacing instances of / and \ with the platform-specific path
 * separator.
 *
 * @param pth The path to platformize.
 * @return string The platform-specific path.
 */
function toPlatformPath(pth) {
    return pth.replace(/[/\\]/g, path.sep);
}
//# sourceMappingURL=path-utils.js.map
;// CONCATENATED MODULE: external "string_decoder"
const external_string_decoder_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("string_decoder");
// EXTERNAL MODULE: external "events"
var external_events_ = __nccwpck_require__(4434);
;// CONCATENATED MODULE: external "child_process"
const external_child_process_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("child_process");
// EXTERNAL MODULE: external "assert"
var external_assert_ = __nccwpck_require__(2613);
;// CONCATENATED MODULE: ./node_modules/@actions/io/lib/io-util.js
var io_util_awaiter = (undefined && undefined.__awaiter) || function (thisArg, _arguments, P, generator) {
    function adopt(value) { return value instanceof P ? value : new P(function (resolve) { resolve(value); }); }
    return new (P || (P = Promise))(function (resolve, reject) {
        function fulfilled(value) { try { step(generator.next(value)); } catch (e) { reject(e); } }
        function rejected(value) { try { step(generator["throw"](value)); } catch (e) { reject(e); } }
        function step(result) { result.done ? resolve(result.value) : adopt(result.value).then(fulfilled, rejected); }
        step((generator = generator.apply(thisArg, _arguments || [])).next());
    });
};


const { chmod, copyFile, lstat, mkdir, open: io_util_open, readdir, rename, rm, rmdir, stat, symlink, unlink } = external_fs_namespaceObject.promises;
// export const {open} = 'fs'
const IS_WINDOWS = process.platform === 'win32';
/**
 * Custom implementation of readlink to ensure Windows junctions
 * maintain trailing backslash for backward compatibility with Node.js < 24
 *
 * In Node.js 20, Windows junctions (directory symlinks) always returned paths
 * with trailing backslashes. Node.js 24 removed this behavior, which breaks
 * code that relied on this format for path operations.
 *
 * This implementation restores the Node 20 behavior by adding a trailing
 * backslash to all junction results on Windows.
 */
function readlink(fsPath) {
    return io_util_awaiter(this, void 0, void 0, function* () {
        const result = yield fs.promises.readlink(fsPath);
        // On Windows, restore Node 20 behavior: add trailing backslash to all results
        // since junctions on Windows are always directory links
        if (IS_WINDOWS && !result.endsWith('\\')) {
            return `${result}\\`;
        }
        return result;
    });
}
// See https://github.com/nodejs/node/blob/d0153aee367422d0858105abec186da4dff0a0c5/deps/uv/include/uv/win.h#L691
const UV_FS_O_EXLOCK = 0x10000000;
const READONLY = external_fs_namespaceObject.constants.O_RDONLY;
function exists(fsPath) {
    return io_util_awaiter(this, void 0, void 0, function* () {
        try {
            yield stat(fsPath);
        }
        catch (err) {
            if (err.code === 'ENOENT') {
                return false;
            }
            throw err;
        }
        return true;
    });
}
function isDirectory(fsPath_1) {
    return io_util_awaiter(this, arguments, void 0, function* (fsPath, useStat = false) {
        const stats = useStat ? yield stat(fsPath) : yield lstat(fsPath);
        return stats.isDirectory();
    });
}
/**
 * On OSX/Linux, true if path starts with '/'. On Windows, true for paths like:
 * \, \hello, \\hello\share, C:, and C:\hello (and corresponding alternate separator cases).
 */
function isRooted(p) {
    p = normalizeSeparators(p);
    if (!p) {
        throw new Error('isRooted() parameter "p" cannot be empty');
    }
    if (IS_WINDOWS) {
        return (p.startsWith('\\') || /^[A-Z]:/i.test(p) // e.g. \ or \hello or \\hello
        ); // e.g. C: or C:\hello
    }
    return p.startsWith('/');
}
/**
 * Best effort attempt to determine whether a file exists and is executable.
 * @param filePath    file path to check
 * @param extensions  additional file extensions to try
 * @return if file exists and is executable, returns the file path. otherwise empty string.
 */
function tryGetExecutablePath(filePath, extensions) {
    return io_util_awaiter(this, void 0, void 0, function* () {
        let stats = undefined;
        try {
            // test file exists
            stats = yield stat(filePath);
        }
        catch (err) {
            if (err.code !== 'ENOENT') {
                // eslint-disable-next-line no-console
                console.log(`Unexpected error attempting to determine if executable file exists '${filePath}': ${err}`);
            }
        }
        if (stats && stats.isFile()) {
            if (IS_WINDOWS) {
                // on Windows, test for valid extension
                const upperExt = external_path_namespaceObject.extname(filePath).toUpperCase();
                if (extensions.some(validExt => validExt.toUpperCase() === upperExt)) {
                    return filePath;
                }
            }
            else {
                if (isUnixExecutable(stats)) {
                    return filePath;
                }
            }
        }
        // try each extension
        const originalFilePath = filePath;
        for (const extension of extensions) {
            filePath = originalFilePath + extension;
            stats = undefined;
            try {
                stats = yield stat(filePath);
            }
            catch (err) {
                if (err.code !== 'ENOENT') {
                    // eslint-disable-next-line no-console
                    console.log(`Unexpected error attempting to determine if executable file exists '${filePath}': ${err}`);
                }
            }
            if (stats && stats.isFile()) {
                if (IS_WINDOWS) {
                    // preserve the case of the actual file (since an extension was appended)
                    try {
                        const directory = external_path_namespaceObject.dirname(filePath);
                        const upperName = external_path_namespaceObject.basename(filePath).toUpperCase();
                        for (const actualName of yield readdir(directory)) {
                            if (upperName === actualName.toUpperCase()) {
                                filePath = external_path_namespaceObject.join(directory, actualName);
                                break;
                            }
                        }
                    }
                    catch (err) {
                        // eslint-disable-next-line no-console
                        console.log(`Unexpected error attempting to determine the actual case of the file '${filePath}': ${err}`);
                    }
                    return filePath;
                }
                else {
                    if (isUnixExecutable(stats)) {
                        return filePath;
                    }
                }
            }
        }
        return '';
    });
}
function normalizeSeparators(p) {
    p = p || '';
    if (IS_WINDOWS) {
        // convert slashes on Windows
        p = p.replace(/\//g, '\\');
        // remove redundant slashes
        return p.replace(/\\\\+/g, '\\');
    }
    // remove redundant slashes
    return p.replace(/\/\/+/g, '/');
}
// on Mac/Linux, test the execute bit
//     R   W  X  R  W X R W X
//   256 128 64 32 16 8 4 2 1
function isUnixExecutable(stats) {
    return ((stats.mode & 1) > 0 ||
        ((stats.mode & 8) > 0 &&
            process.getgid !== undefined &&
            stats.gid === process.getgid()) ||
        ((stats.mode & 64) > 0 &&
            process.getuid !== undefined &&
            stats.uid === process.getuid()));
}
// Get the path of cmd.exe in windows
function getCmdPath() {
    var _a;
    return (_a = process.env['COMSPEC']) !== null && _a !== void 0 ? _a : `cmd.exe`;
}
//# sourceMappingURL=io-util.js.map
;// CONCATENATED MODULE: ./node_modules/@actions/io/lib/io.js
var io_awaiter = (undefined && undefined.__awaiter) || function (thisArg, _arguments, P, generator) {
    function adopt(value) { return value instanceof P ? value : new P(function (resolve) { resolve(value); }); }
    return new (P || (P = Promise))(function (resolve, reject) {
        function fulfilled(value) { try { step(generator.next(value)); } catch (e) { reject(e); } }
        function rejected(value) { try { step(generator["throw"](value)); } catch (e) { reject(e); } }
        function step(result) { result.done ? resolve(result.value) : adopt(result.value).then(fulfilled, rejected); }
        step((generator = generator.apply(thisArg, _arguments || [])).next());
    });
};



/**
 * Copies a file or folder.
 * Based off of shelljs - https://github.com/shelljs/shelljs/blob/9237f66c52e5daa40458f94f9565e18e8132f5a6/src/cp.js
 *
 * @param     source    source path
 * @param     dest      destination path
 * @param     options   optional. See CopyOptions.
 */
function cp(source_1, dest_1) {
    return io_awaiter(this, arguments, void 0, function* (source, dest, options = {}) {
        const { force, recursive, copySourceDirectory } = readCopyOptions(options);
        const destStat = (yield ioUtil.exists(dest)) ? yield ioUtil.stat(dest) : null;
        // Dest is an existing file, but not forcing
        if (destStat && destStat.isFile() && !force) {
            return;
        }
        // If dest is an existing directory, should copy inside.
        const newDest = destStat && destStat.isDirectory() && copySourceDirectory
            ? path.join(dest, path.basename(source))
            : dest;
        if (!(yield ioUtil.exists(source))) {
            throw new Error(`no such file or directory: ${source}`);
        }
        const sourceStat = yield ioUtil.stat(source);
        if (sourceStat.isDirectory()) {
            if (!recursive) {
                throw new Error(`Failed to copy. ${source} is a directory, but tried to copy without recursive flag.`);
            }
            else {
                yield cpDirRecursive(source, newDest, 0, force);
            }
        }
        else {
            if (path.relative(source, newDest) === '') {
                // a file cannot be copied to itself
                throw new Error(`'${newDest}' and '${source}' are the same file`);
            }
            yield io_copyFile(source, newDest, force);
        }
    });
}
/**
 * Moves a path.
 *
 * @param     source    source path
 * @param     dest      destination path
 * @param     options   optional. See MoveOptions.
 */
function mv(source_1, dest_1) {
    return io_awaiter(this, arguments, void 0, function* (source, dest, options = {}) {
        if (yield ioUtil.exists(dest)) {
            let destExists = true;
            if (yield ioUtil.isDirectory(dest)) {
                // If dest is directory copy src into dest
                dest = path.join(dest, path.basename(source));
                destExists = yield ioUtil.exists(dest);
            }
            if (destExists) {
                if (options.force == null || options.force) {
                    yield rmRF(dest);
                }
                else {
                    throw new Error('Destination already exists');
                }
            }
        }
        yield mkdirP(path.dirname(dest));
        yield ioUtil.rename(source, dest);
    });
}
/**
 * Remove a path recursively with force
 *
 * @param inputPath path to remove
 */
function rmRF(inputPath) {
    return io_awaiter(this, void 0, void 0, function* () {
        if (ioUtil.IS_WINDOWS) {
            // Check for invalid characters
            // https://docs.microsoft.com/en-us/windows/win32/fileio/naming-a-file
            if (/[*"<>|]/.test(inputPath)) {
                throw new Error('File path must not contain `*`, `"`, `<`, `>` or `|` on Windows');
            }
        }
        try {
            // note if path does not exist, error is silent
            yield ioUtil.rm(inputPath, {
                force: true,
                maxRetries: 3,
                recursive: true,
                retryDelay: 300
            });
        }
        catch (err) {
            throw new Error(`File was unable to be removed ${err}`);
        }
    });
}
/**
 * Make a directory.  Creates the full path with folders in between
 * Will throw if it fails
 *
 * @param   fsPath        path to create
 * @returns Promise<void>
 */
function mkdirP(fsPath) {
    return io_awaiter(this, void 0, void 0, function* () {
        ok(fsPath, 'a path argument must be provided');
        yield ioUtil.mkdir(fsPath, { recursive: true });
    });
}
/**
 * Returns path of a tool had the tool actually been invoked.  Resolves via paths.
 * If you check and the tool does not exist, it will throw.
 *
 * @param     tool              name of the tool
 * @param     check             whether to check if tool exists
 * @returns   Promise<string>   path to tool
 */
function which(tool, check) {
    return io_awaiter(this, void 0, void 0, function* () {
        if (!tool) {
            throw new Error("parameter 'tool' is required");
        }
        // recursive when check=true
        if (check) {
            const result = yield which(tool, false);
            if (!result) {
                if (IS_WINDOWS) {
                    throw new Error(`Unable to locate executable file: ${tool}. Please verify either the file path exists or the file can be found within a directory specified by the PATH environment variable. Also verify the file has a valid extension for an executable file.`);
                }
                else {
                    throw new Error(`Unable to locate executable file: ${tool}. Please verify either the file path exists or the file can be found within a directory specified by the PATH environment variable. Also check the file mode to verify the file is executable.`);
                }
            }
            return result;
        }
        const matches = yield findInPath(tool);
        if (matches && matches.length > 0) {
            return matches[0];
        }
        return '';
    });
}
/**
 * Returns a list of all occurrences of the given tool on the system path.
 *
 * @returns   Promise<string[]>  the paths of the tool
 */
function findInPath(tool) {
    return io_awaiter(this, void 0, void 0, function* () {
        if (!tool) {
            throw new Error("parameter 'tool' is required");
        }
        // build the list of extensions to try
        const extensions = [];
        if (IS_WINDOWS && process.env['PATHEXT']) {
            for (const extension of process.env['PATHEXT'].split(external_path_namespaceObject.delimiter)) {
                if (extension) {
                    extensions.push(extension);
                }
            }
        }
        // if it's rooted, return it if exists. otherwise return empty.
        if (isRooted(tool)) {
            const filePath = yield tryGetExecutablePath(tool, extensions);
            if (filePath) {
                return [filePath];
            }
            return [];
        }
        // if any path separators, return empty
        if (tool.includes(external_path_namespaceObject.sep)) {
            return [];
        }
        // build the list of directories
        //
        // Note, technically "where" checks the current directory on Windows. From a toolkit perspective,
        // it feels like we should not do this. Checking the current directory seems like more of a use
        // case of a shell, and the which() function exposed by the toolkit should strive for consistency
        // across platforms.
        const directories = [];
        if (process.env.PATH) {
            for (const p of process.env.PATH.split(external_path_namespaceObject.delimiter)) {
                if (p) {
                    directories.push(p);
                }
            }
        }
        // find all matches
        const matches = [];
        for (const directory of directories) {
            const filePath = yield tryGetExecutablePath(external_path_namespaceObject.join(directory, tool), extensions);
            if (filePath) {
                matches.push(filePath);
            }
        }
        return matches;
    });
}
function readCopyOptions(options) {
    const force = options.force == null ? true : options.force;
    const recursive = Boolean(options.recursive);
    const copySourceDirectory = options.copySourceDirectory == null
        ? true
        : Boolean(options.copySourceDirectory);
    return { force, recursive, copySourceDirectory };
}
function cpDirRecursive(sourceDir, destDir, currentDepth, force) {
    return io_awaiter(this, void 0, void 0, function* () {
        // Ensure there is not a run away recursive copy
        if (currentDepth >= 255)
            return;
        currentDepth++;
        yield mkdirP(destDir);
        const files = yield ioUtil.readdir(sourceDir);
        for (const fileName of files) {
            const srcFile = `${sourceDir}/${fileName}`;
            const destFile = `${destDir}/${fileName}`;
            const srcFileStat = yield ioUtil.lstat(srcFile);
            if (srcFileStat.isDirectory()) {
                // Recurse
                yield cpDirRecursive(srcFile, destFile, currentDepth, force);
            }
            else {
                yield io_copyFile(srcFile, destFile, force);
            }
        }
        // Change the mode for the newly created directory
        yield ioUtil.chmod(destDir, (yield ioUtil.stat(sourceDir)).mode);
    });
}
// Buffered file copy
function io_copyFile(srcFile, destFile, force) {
    return io_awaiter(this, void 0, void 0, function* () {
        if ((yield ioUtil.lstat(srcFile)).isSymbolicLink()) {
            // unlink/re-link it
            try {
                yield ioUtil.lstat(destFile);
                yield ioUtil.unlink(destFile);
            }
            catch (e) {
                // Try to override file permission
                if (e.code === 'EPERM') {
                    yield ioUtil.chmod(destFile, '0666');
                    yield ioUtil.unlink(destFile);
                }
                // other errors = it doesn't exist, no work to do
            }
            // Copy over symlink
            const symlinkFull = yield ioUtil.readlink(srcFile);
            yield ioUtil.symlink(symlinkFull, destFile, ioUtil.IS_WINDOWS ? 'junction' : null);
        }
        else if (!(yield ioUtil.exists(destFile)) || force) {
            yield ioUtil.copyFile(srcFile, destFile);
        }
    });
}
//# sourceMappingURL=io.js.map
;// CONCATENATED MODULE: external "timers"
const external_timers_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("timers");
;// CONCATENATED MODULE: ./node_modules/@actions/exec/lib/toolrunner.js
var toolrunner_awaiter = (undefined && undefined.__awaiter) || function (thisArg, _arguments, P, generator) {
    function adopt(value) { return value instanceof P ? value : new P(function (resolve) { resolve(value); }); }
    return new (P || (P = Promise))(function (resolve, reject) {
        function fulfilled(value) { try { step(generator.next(value)); } catch (e) { reject(e); } }
        function rejected(value) { try { step(generator["throw"](value)); } catch (e) { reject(e); } }
        function step(result) { result.done ? resolve(result.value) : adopt(result.value).then(fulfilled, rejected); }
        step((generator = generator.apply(thisArg, _arguments || [])).next());
    });
};







/* eslint-disable @typescript-eslint/unbound-method */
const toolrunner_IS_WINDOWS = process.platform === 'win32';
/*
 * Class for running command line tools. Handles quoting and arg parsing in a platform agnostic way.
 */
class ToolRunner extends external_events_.EventEmitter {
    constructor(toolPath, args, options) {
        super();
        if (!toolPath) {
            throw new Error("Parameter 'toolPath' cannot be null or empty.");
        }
        this.toolPath = toolPath;
        this.args = args || [];
        this.options = options || {};
    }
    _debug(message) {
        if (this.options.listeners && this.options.listeners.debug) {
            this.options.listeners.debug(message);
        }
    }
    _getCommandString(options, noPrefix) {
        const toolPath = this._getSpawnFileName();
        const args = this._getSpawnArgs(options);
        let cmd = noPrefix ? '' : '[command]'; // omit prefix when piped to a second tool
        if (toolrunner_IS_WINDOWS) {
            // Windows + cmd file
            if (this._isCmdFile()) {
                cmd += toolPath;
                for (const a of args) {
                    cmd += ` ${a}`;
                }
            }
            // Windows + verbatim
            else if (options.windowsVerbatimArguments) {
                cmd += `"${toolPath}"`;
                for (const a of args) {
                    cmd += ` ${a}`;
                }
            }
            // Windows (regular)
            else {
                cmd += this._windowsQuoteCmdArg(toolPath);
                for (const a of args) {
                    cmd += ` ${this._windowsQuoteCmdArg(a)}`;
                }
            }
        }
        else {
            // OSX/Linux - this can likely be improved with some form of quoting.
            // creating processes on Unix is fundamentally different than Windows.
            // on Unix, execvp() takes an arg array.
            cmd += toolPath;
            for (const a of args) {
                cmd += ` ${a}`;
            }
        }
        return cmd;
    }
    _processLineBuffer(data, strBuffer, onLine) {
        try {
            let s = strBuffer + data.toString();
            let n = s.indexOf(external_os_namespaceObject.EOL);
            while (n > -1) {
                const line = s.substring(0, n);
                onLine(line);
                // the rest of the string ...
                s = s.substring(n + external_os_namespaceObject.EOL.length);
                n = s.indexOf(external_os_namespaceObject.EOL);
            }
            return s;
        }
        catch (err) {
            // streaming lines to console is best effort.  Don't fail a build.
            this._debug(`error processing line. Failed with error ${err}`);
            return '';
        }
    }
    _getSpawnFileName() {
        if (toolrunner_IS_WINDOWS) {
            if (this._isCmdFile()) {
                return process.env['COMSPEC'] || 'cmd.exe';
            }
        }
        return this.toolPath;
    }
    _getSpawnArgs(options) {
        if (toolrunner_IS_WINDOWS) {
            if (this._isCmdFile()) {
                let argline = `/D /S /C "${this._windowsQuoteCmdArg(this.toolPath)}`;
                for (const a of this.args) {
                    argline += ' ';
                    argline += options.windowsVerbatimArguments
                        ? a
                        : this._windowsQuoteCmdArg(a);
                }
                argline += '"';
                return [argline];
            }
        }
        return this.args;
    }
    _endsWith(str, end) {
        return str.endsWith(end);
    }
    _isCmdFile() {
        const upperToolPath = this.toolPath.toUpperCase();
        return (this._endsWith(upperToolPath, '.CMD') ||
            this._endsWith(upperToolPath, '.BAT'));
    }
    _windowsQuoteCmdArg(arg) {
        // for .exe, apply the normal quoting rules that libuv applies
        if (!this._isCmdFile()) {
            return this._uvQuoteCmdArg(arg);
        }
        // otherwise apply quoting rules specific to the cmd.exe command line parser.
        // the libuv rules are generic and are not designed specifically for cmd.exe
        // command line parser.
        //
        // for a detailed description of the cmd.exe command line parser, refer to
        // http://stackoverflow.com/questions/4094699/how-does-the-windows-command-interpreter-cmd-exe-parse-scripts/7970912#7970912
        // need quotes for empty arg
        if (!arg) {
            return '""';
        }
        // determine whether the arg needs to be quoted
        const cmdSpecialChars = [
            ' ',
            '\t',
            '&',
            '(',
            ')',
            '[',
            ']',
            '{',
            '}',
            '^',
            '=',
            ';',
            '!',
            "'",
            '+',
            ',',
            '`',
            '~',
            '|',
            '<',
            '>',
            '"'
        ];
        let needsQuotes = false;
        for (const char of arg) {
            if (cmdSpecialChars.some(x => x === char)) {
                needsQuotes = true;
                break;
            }
        }
        // short-circuit if quotes not needed
        if (!needsQuotes) {
            return arg;
        }
        // the following quoting rules are very similar to the rules that by libuv applies.
        //
        // 1) wrap the string in quotes
        //
        // 2) double-up quotes - i.e. " => ""
        //
        //    this is different from the libuv quoting rules. libuv replaces " with \", which unfortunately
        //    doesn't work well with a cmd.exe command line.
        //
        //    note, replacing " with "" also works well if the arg is passed to a downstream .NET console app.
        //    for example, the command line:
        //          foo.exe "myarg:""my val"""
        //    is parsed by a .NET console app into an arg array:
        //          [ "myarg:\"my val\"" ]
        //    which is the same end result when applying libuv quoting rules. although the actual
        //    command line from libuv quoting rules would look like:
        //          foo.exe "myarg:\"my val\""
        //
        // 3) double-up slashes that precede a quote,
        //    e.g.  hello \world    => "hello \world"
        //          hello\"world    => "hello\\""world"
        //          hello\\"world   => "hello\\\\""world"
        //          hello world\    => "hello world\\"
        //
        //    technically this is not required for a cmd.exe command line, or the batch argument parser.
        //    the reasons for including this as a .cmd quoting rule are:
        //
        //    a) this is optimized for the scenario where the argument is passed from the .cmd file to an
        //       external program. many programs (e.g. .NET console apps) rely on the slash-doubling rule.
        //
        //    b) it's what we've been doing previously (by deferring to node default behavior) and we
        //       haven't heard any complaints about that aspect.
        //
        // note, a weakness of the quoting rules chosen here, is that % is not escaped. in fact, % cannot be
        // escaped when used on the command line directly - even though within a .cmd file % can be escaped
        // by using %%.
        //
        // the saving grace is, on the command line, %var% is left as-is if var is not defined. this contrasts
        // the line parsing rules within a .cmd file, where if var is not defined it is replaced with nothing.
        //
        // one option that was explored was replacing % with ^% - i.e. %var% => ^%var^%. this hack would
        // often work, since it is unlikely that var^ would exist, and the ^ character is removed when the
        // variable is used. the problem, however, is that ^ is not removed when %* is used to pass the args
        // to an external program.
        //
        // an unexplored potential solution for the % escaping problem, is to create a wrapper .cmd file.
        // % can be escaped within a .cmd file.
        let reverse = '"';
        let quoteHit = true;
        for (let i = arg.length; i > 0; i--) {
            // walk the string in reverse
            reverse += arg[i - 1];
            if (quoteHit && arg[i - 1] === '\\') {
                reverse += '\\'; // double the slash
            }
            else if (arg[i - 1] === '"') {
                quoteHit = true;
                reverse += '"'; // double the quote
            }
            else {
                quoteHit = false;
            }
        }
        reverse += '"';
        return reverse.split('').reverse().join('');
    }
    _uvQuoteCmdArg(arg) {
        // Tool runner wraps child_process.spawn() and needs to apply the same quoting as
        // Node in certain cases where the undocumented spawn option windowsVerbatimArguments
        // is used.
        //
        // Since this function is a port of quote_cmd_arg from Node 4.x (technically, lib UV,
        // see https://github.com/nodejs/node/blob/v4.x/deps/uv/src/win/process.c for details),
        // pasting copyright notice from Node within this function:
        //
        //      Copyright Joyent, Inc. and other Node contributors. All rights reserved.
        //
        //      Permission is hereby granted, free of charge, to any person obtaining a copy
        //      of this software and associated documentation files (the "Software"), to
        //      deal in the Software without restriction, including without limitation the
        //      rights to use, copy, modify, merge, publish, distribute, sublicense, and/or
        //      sell copies of the Software, and to permit persons to whom the Software is
        //      furnished to do so, subject to the following conditions:
        //
        //      The above copyright notice and this permission notice shall be included in
        //      all copies or substantial portions of the Software.
        //
        //      THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
        //      IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
        //      FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
        //      AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
        //      LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING
        //      FROM, OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS
        //      IN THE SOFTWARE.
        if (!arg) {
            // Need double quotation for empty argument
            return '""';
        }
        if (!arg.includes(' ') && !arg.includes('\t') && !arg.includes('"')) {
            // No quotation needed
            return arg;
        }
        if (!arg.includes('"') && !arg.includes('\\')) {
            // No embedded double quotes or backslashes, so I can just wrap
            // quote marks around the whole thing.
            return `"${arg}"`;
        }
        // Expected input/output:
        //   input : hello"world
        //   output: "hello\"world"
        //   input : hello""world
        //   output: "hello\"\"world"
        //   input : hello\world
        //   output: hello\world
        //   input : hello\\world
        //   output: hello\\world
        //   input : hello\"world
        //   output: "hello\\\"world"
        //   input : hello\\"world
        //   output: "hello\\\\\"world"
        //   input : hello world\
        //   output: "hello world\\" - note the comment in libuv actually reads "hello world\"
        //                             but it appears the comment is wrong, it should be "hello world\\"
        let reverse = '"';
        let quoteHit = true;
        for (let i = arg.length; i > 0; i--) {
            // walk the string in reverse
            reverse += arg[i - 1];
            if (quoteHit && arg[i - 1] === '\\') {
                reverse += '\\';
            }
            else if (arg[i - 1] === '"') {
                quoteHit = true;
                reverse += '\\';
            }
            else {
                quoteHit = false;
            }
        }
        reverse += '"';
        return reverse.split('').reverse().join('');
    }
    _cloneExecOptions(options) {
        options = options || {};
        const result = {
            cwd: options.cwd || process.cwd(),
            env: options.env || process.env,
            silent: options.silent || false,
            windowsVerbatimArguments: options.windowsVerbatimArguments || false,
            failOnStdErr: options.failOnStdErr || false,
            ignoreReturnCode: options.ignoreReturnCode || false,
            delay: options.delay || 10000
        };
        result.outStream = options.outStream || process.stdout;
        result.errStream = options.errStream || process.stderr;
        return result;
    }
    _getSpawnOptions(options, toolPath) {
        options = options || {};
        const result = {};
        result.cwd = options.cwd;
        result.env = options.env;
        result['windowsVerbatimArguments'] =
            options.windowsVerbatimArguments || this._isCmdFile();
        if (options.windowsVerbatimArguments) {
            result.argv0 = `"${toolPath}"`;
        }
        return result;
    }
    /**
     * Exec a tool.
     * Output will be streamed to the live console.
     * Returns promise with return code
     *
     * @param     tool     path to tool to exec
     * @param     options  optional exec options.  See ExecOptions
     * @returns   number
     */
    exec() {
        return toolrunner_awaiter(this, void 0, void 0, function* () {
            // root the tool path if it is unrooted and contains relative pathing
            if (!isRooted(this.toolPath) &&
                (this.toolPath.includes('/') ||
                    (toolrunner_IS_WINDOWS && this.toolPath.includes('\\')))) {
                // prefer options.cwd if it is specified, however options.cwd may also need to be rooted
                this.toolPath = external_path_namespaceObject.resolve(process.cwd(), this.options.cwd || process.cwd(), this.toolPath);
            }
            // if the tool is only a file name, then resolve it from the PATH
            // otherwise verify it exists (add extension on Windows if necessary)
            this.toolPath = yield which(this.toolPath, true);
            return new Promise((resolve, reject) => toolrunner_awaiter(this, void 0, void 0, function* () {
                this._debug(`exec tool: ${this.toolPath}`);
                this._debug('arguments:');
                for (const arg of this.args) {
                    this._debug(`   ${arg}`);
                }
                const optionsNonNull = this._cloneExecOptions(this.options);
                if (!optionsNonNull.silent && optionsNonNull.outStream) {
                    optionsNonNull.outStream.write(this._getCommandString(optionsNonNull) + external_os_namespaceObject.EOL);
                }
                const state = new ExecState(optionsNonNull, this.toolPath);
                state.on('debug', (message) => {
                    this._debug(message);
                });
                if (this.options.cwd && !(yield exists(this.options.cwd))) {
                    return reject(new Error(`The cwd: ${this.options.cwd} does not exist!`));
                }
                const fileName = this._getSpawnFileName();
                const cp = external_child_process_namespaceObject.spawn(fileName, this._getSpawnArgs(optionsNonNull), this._getSpawnOptions(this.options, fileName));
                let stdbuffer = '';
                if (cp.stdout) {
                    cp.stdout.on('data', (data) => {
                        if (this.options.listeners && this.options.listeners.stdout) {
                            this.options.listeners.stdout(data);
                        }
                        if (!optionsNonNull.silent && optionsNonNull.outStream) {
                            optionsNonNull.outStream.write(data);
                        }
                        stdbuffer = this._processLineBuffer(data, stdbuffer, (line) => {
                            if (this.options.listeners && this.options.listeners.stdline) {
                                this.options.listeners.stdline(line);
                            }
                        });
                    });
                }
                let errbuffer = '';
                if (cp.stderr) {
                    cp.stderr.on('data', (data) => {
                        state.processStderr = true;
                        if (this.options.listeners && this.options.listeners.stderr) {
                            this.options.listeners.stderr(data);
                        }
                        if (!optionsNonNull.silent &&
                            optionsNonNull.errStream &&
                            optionsNonNull.outStream) {
                            const s = optionsNonNull.failOnStdErr
                                ? optionsNonNull.errStream
                                : optionsNonNull.outStream;
                            s.write(data);
                        }
                        errbuffer = this._processLineBuffer(data, errbuffer, (line) => {
                            if (this.options.listeners && this.options.listeners.errline) {
                                this.options.listeners.errline(line);
                            }
                        });
                    });
                }
                cp.on('error', (err) => {
                    state.processError = err.message;
                    state.processExited = true;
                    state.processClosed = true;
                    state.CheckComplete();
                });
                cp.on('exit', (code) => {
                    state.processExitCode = code;
                    state.processExited = true;
                    this._debug(`Exit code ${code} received from tool '${this.toolPath}'`);
                    state.CheckComplete();
                });
                cp.on('close', (code) => {
                    state.processExitCode = code;
                    state.processExited = true;
                    state.processClosed = true;
                    this._debug(`STDIO streams have closed for tool '${this.toolPath}'`);
                    state.CheckComplete();
                });
                state.on('done', (error, exitCode) => {
                    if (stdbuffer.length > 0) {
                        this.emit('stdline', stdbuffer);
                    }
                    if (errbuffer.length > 0) {
                        this.emit('errline', errbuffer);
                    }
                    cp.removeAllListeners();
                    if (error) {
                        reject(error);
                    }
                    else {
                        resolve(exitCode);
                    }
                });
                if (this.options.input) {
                    if (!cp.stdin) {
                        throw new Error('child process missing stdin');
                    }
                    cp.stdin.end(this.options.input);
                }
            }));
        });
    }
}
/**
 * Convert an arg string to an array of args. Handles escaping
 *
 * @param    argString   string of arguments
 * @returns  string[]    array of arguments
 */
function argStringToArray(argString) {
    const args = [];
    let inQuotes = false;
    let escaped = false;
    let arg = '';
    function append(c) {
        // we only escape double quotes.
        if (escaped && c !== '"') {
            arg += '\\';
        }
        arg += c;
        escaped = false;
    }
    for (let i = 0; i < argString.length; i++) {
        const c = argString.charAt(i);
        if (c === '"') {
            if (!escaped) {
                inQuotes = !inQuotes;
            }
            else {
                append(c);
            }
            continue;
        }
        if (c === '\\' && escaped) {
            append(c);
            continue;
        }
        if (c === '\\' && inQuotes) {
            escaped = true;
            continue;
        }
        if (c === ' ' && !inQuotes) {
            if (arg.length > 0) {
                args.push(arg);
                arg = '';
            }
            continue;
        }
        append(c);
    }
    if (arg.length > 0) {
        args.push(arg.trim());
    }
    return args;
}
class ExecState extends external_events_.EventEmitter {
    constructor(options, toolPath) {
        super();
        this.processClosed = false; // tracks whether the process has exited and stdio is closed
        this.processError = '';
        this.processExitCode = 0;
        this.processExited = false; // tracks whether the process has exited
        this.processStderr = false; // tracks whether stderr was written to
        this.delay = 10000; // 10 seconds
        this.done = false;
        this.timeout = null;
        if (!toolPath) {
            throw new Error('toolPath must not be empty');
        }
        this.options = options;
        this.toolPath = toolPath;
        if (options.delay) {
            this.delay = options.delay;
        }
    }
    CheckComplete() {
        if (this.done) {
            return;
        }
        if (this.processClosed) {
            this._setResult();
        }
        else if (this.processExited) {
            this.timeout = (0,external_timers_namespaceObject.setTimeout)(ExecState.HandleTimeout, this.delay, this);
        }
    }
    _debug(message) {
        this.emit('debug', message);
    }
    _setResult() {
        // determine whether there is an error
        let error;
        if (this.processExited) {
            if (this.processError) {
                error = new Error(`There was an error when attempting to execute the process '${this.toolPath}'. This may indicate the process failed to start. Error: ${this.processError}`);
            }
            else if (this.processExitCode !== 0 && !this.options.ignoreReturnCode) {
                error = new Error(`The process '${this.toolPath}' failed with exit code ${this.processExitCode}`);
            }
            else if (this.processStderr && this.options.failOnStdErr) {
                error = new Error(`The process '${this.toolPath}' failed because one or more lines were written to the STDERR stream`);
            }
        }
        // clear the timeout
        if (this.timeout) {
            clearTimeout(this.timeout);
            this.timeout = null;
        }
        this.done = true;
        this.emit('done', error, this.processExitCode);
    }
    static HandleTimeout(state) {
        if (state.done) {
            return;
        }
        if (!state.processClosed && state.processExited) {
            const message = `The STDIO streams did not close within ${state.delay / 1000} seconds of the exit event from process '${state.toolPath}'. This may indicate a child process inherited the STDIO streams and has not yet exited.`;
            state._debug(message);
        }
        state._setResult();
    }
}
//# sourceMappingURL=toolrunner.js.map
;// CONCATENATED MODULE: ./node_modules/@actions/exec/lib/exec.js
var exec_awaiter = (undefined && undefined.__awaiter) || function (thisArg, _arguments, P, generator) {
    function adopt(value) { return value instanceof P ? value : new P(function (resolve) { resolve(value); }); }
    return new (P || (P = Promise))(function (resolve, reject) {
        function fulfilled(value) { try { step(generator.next(value)); } catch (e) { reject(e); } }
        function rejected(value) { try { step(generator["throw"](value)); } catch (e) { reject(e); } }
        function step(result) { result.done ? resolve(result.value) : adopt(result.value).then(fulfilled, rejected); }
        step((generator = generator.apply(thisArg, _arguments || [])).next());
    });
};


/**
 * Exec a command.
 * Output will be streamed to the live console.
 * Returns promise with return code
 *
 * @param     commandLine        command to execute (can include additional args). Must be correctly escaped.
 * @param     args               optional arguments for tool. Escaping is handled by the lib.
 * @param     options            optional exec options.  See ExecOptions
 * @returns   Promise<number>    exit code
 */
function exec_exec(commandLine, args, options) {
    return exec_awaiter(this, void 0, void 0, function* () {
        const commandArgs = tr.argStringToArray(commandLine);
        if (commandArgs.length === 0) {
            throw new Error(`Parameter 'commandLine' cannot be null or empty.`);
        }
        // Path to tool to execute should be first arg
        const toolPath = commandArgs[0];
        args = commandArgs.slice(1).concat(args || []);
        const runner = new tr.ToolRunner(toolPath, args, options);
        return runner.exec();
    });
}
/**
 * Exec a command and get the output.
 * Output will be streamed to the live console.
 * Returns promise with the exit code and collected stdout and stderr
 *
 * @param     commandLine           command to execute (can include additional args). Must be correctly escaped.
 * @param     args                  optional arguments for tool. Escaping is handled by the lib.
 * @param     options               optional exec options.  See ExecOptions
 * @returns   Promise<ExecOutput>   exit code, stdout, and stderr
 */
function getExecOutput(commandLine, args, options) {
    return exec_awaiter(this, void 0, void 0, function* () {
        var _a, _b;
        let stdout = '';
        let stderr = '';
        //Using string decoder covers the case where a mult-byte character is split
        const stdoutDecoder = new StringDecoder('utf8');
        const stderrDecoder = new StringDecoder('utf8');
        const originalStdoutListener = (_a = options === null || options === void 0 ? void 0 : options.listeners) === null || _a === void 0 ? void 0 : _a.stdout;
        const originalStdErrListener = (_b = options === null || options === void 0 ? void 0 : options.listeners) === null || _b === void 0 ? void 0 : _b.stderr;
        const stdErrListener = (data) => {
            stderr += stderrDecoder.write(data);
            if (originalStdErrListener) {
                originalStdErrListener(data);
            }
        };
        const stdOutListener = (data) => {
            stdout += stdoutDecoder.write(data);
            if (originalStdoutListener) {
                originalStdoutListener(data);
            }
        };
        const listeners = Object.assign(Object.assign({}, options === null || options === void 0 ? void 0 : options.listeners), { stdout: stdOutListener, stderr: stdErrListener });
        const exitCode = yield exec_exec(commandLine, args, Object.assign(Object.assign({}, options), { listeners }));
        //flush any remaining characters
        stdout += stdoutDecoder.end();
        stderr += stderrDecoder.end();
        return {
            exitCode,
            stdout,
            stderr
        };
    });
}
//# sourceMappingURL=exec.js.map
;// CONCATENATED MODULE: ./node_modules/@actions/core/lib/platform.js
var platform_awaiter = (undefined && undefined.__awaiter) || function (thisArg, _arguments, P, generator) {
    function adopt(value) { return value instanceof P ? value : new P(function (resolve) { resolve(value); }); }
    return new (P || (P = Promise))(function (resolve, reject) {
        function fulfilled(value) { try { step(generator.next(value)); } catch (e) { reject(e); } }
        function rejected(value) { try { step(generator["throw"](value)); } catch (e) { reject(e); } }
        function step(result) { result.done ? resolve(result.value) : adopt(result.value).then(fulfilled, rejected); }
        step((generator = generator.apply(thisArg, _arguments || [])).next());
    });
};


const getWindowsInfo = () => platform_awaiter(void 0, void 0, void 0, function* () {
    const { stdout: version } = yield exec.getExecOutput('powershell -command "(Get-CimInstance -ClassName Win32_OperatingSystem).Version"', undefined, {
        silent: true
    });
    const { stdout: name } = yield exec.getExecOutput('powershell -command "(Get-CimInstance -ClassName Win32_OperatingSystem).Caption"', undefined, {
        silent: true
    });
    return {
        name: name.trim(),
        version: version.trim()
    };
});
const getMacOsInfo = () => platform_awaiter(void 0, void 0, void 0, function* () {
    var _a, _b, _c, _d;
    const { stdout } = yield exec.getExecOutput('sw_vers', undefined, {
        silent: true
    });
    const version = (_b = (_a = stdout.match(/ProductVersion:\s*(.+)/)) === null || _a === void 0 ? void 0 : _a[1]) !== null && _b !== void 0 ? _b : '';
    const name = (_d = (_c = stdout.match(/ProductName:\s*(.+)/)) === null || _c === void 0 ? void 0 : _c[1]) !== null && _d !== void 0 ? _d : '';
    return {
        name,
        version
    };
});
const getLinuxInfo = () => platform_awaiter(void 0, void 0, void 0, function* () {
    const { stdout } = yield exec.getExecOutput('lsb_release', ['-i', '-r', '-s'], {
        silent: true
    });
    const [name, version] = stdout.trim().split('\n');
    return {
        name,
        version
    };
});
const platform = external_os_namespaceObject.platform();
const arch = external_os_namespaceObject.arch();
const isWindows = platform === 'win32';
const isMacOS = platform === 'darwin';
const isLinux = platform === 'linux';
function getDetails() {
    return platform_awaiter(this, void 0, void 0, function* () {
        return Object.assign(Object.assign({}, (yield (isWindows
            ? getWindowsInfo()
            : isMacOS
                ? getMacOsInfo()
                : getLinuxInfo()))), { platform,
            arch,
            isWindows,
            isMacOS,
            isLinux });
    });
}
//# sourceMappingURL=platform.js.map
;// CONCATENATED MODULE: ./node_modules/@actions/core/lib/core.js
var core_awaiter = (undefined && undefined.__awaiter) || function (thisArg, _arguments, P, generator) {
    function adopt(value) { return value instanceof P ? value : new P(function (resolve) { resolve(value); }); }
    return new (P || (P = Promise))(function (resolve, reject) {
        function fulfilled(value) { try { step(generator.next(value)); } catch (e) { reject(e); } }
        function rejected(value) { try { step(generator["throw"](value)); } catch (e) { reject(e); } }
        function step(result) { result.done ? resolve(result.value) : adopt(result.value).then(fulfilled, rejected); }
        step((generator = generator.apply(thisArg, _arguments || [])).next());
    });
};






/**
 * The code to exit an action
 */
var ExitCode;
(function (ExitCode) {
    /**
     * A code indicating that the action was successful
     */
    ExitCode[ExitCode["Success"] = 0] = "Success";
    /**
     * A code indicating that the action was a failure
     */
    ExitCode[ExitCode["Failure"] = 1] = "Failure";
})(ExitCode || (ExitCode = {}));
//-----------------------------------------------------------------------
// Variables
//-----------------------------------------------------------------------
/**
 * Sets env variable for this action and future actions in the job
 * @param name the name of the variable to set
 * @param val the value of the variable. Non-string values will be converted to a string via JSON.stringify
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
function exportVariable(name, val) {
    const convertedVal = toCommandValue(val);
    process.env[name] = convertedVal;
    const filePath = process.env['GITHUB_ENV'] || '';
    if (filePath) {
        return issueFileCommand('ENV', prepareKeyValueMessage(name, val));
    }
    issueCommand('set-env', { name }, convertedVal);
}
/**
 * Registers a secret which will get masked from logs
 *
 * @param secret - Value of the secret to be masked
 * @remarks
 * This function instructs the Actions runner to mask the specified value in any
 * logs produced during the workflow run. Once registered, the secret value will
 * be replaced with asterisks (***) whenever it appears in console output, logs,
 * or error messages.
 *
 * This is useful for protecting sensitive information such as:
 * - API keys
 * - Access tokens
 * - Authentication credentials
 * - URL parameters containing signatures (SAS tokens)
 *
 * Note that masking only affects future logs; any previous appearances of the
 * secret in logs before calling this function will remain unmasked.
 *
 * @example
 * ```typescript
 * // Register an API token as a secret
 * const apiToken = "abc123xyz456";
 * setSecret(apiToken);
 *
 * // Now any logs containing this value will show *** instead
 * console.log(`Using token: ${apiToken}`); // Outputs: "Using token: ***"
 * ```
 */
function core_setSecret(secret) {
    command_issueCommand('add-mask', {}, secret);
}
/**
 * Prepends inputPath to the PATH (for this action and future actions)
 * @param inputPath
 */
function addPath(inputPath) {
    const filePath = process.env['GITHUB_PATH'] || '';
    if (filePath) {
        issueFileCommand('PATH', inputPath);
    }
    else {
        issueCommand('add-path', {}, inputPath);
    }
    process.env['PATH'] = `${inputPath}${path.delimiter}${process.env['PATH']}`;
}
/**
 * Gets the value of an input.
 * Unless trimWhitespace is set to false in InputOptions, the value is also trimmed.
 * Returns an empty string if the value is not defined.
 *
 * @param     name     name of the input to get
 * @param     options  optional. See InputOptions.
 * @returns   string
 */
function getInput(name, options) {
    const val = process.env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] || '';
    if (options && options.required && !val) {
        throw new Error(`Input required and not supplied: ${name}`);
    }
    if (options && options.trimWhitespace === false) {
        return val;
    }
    return val.trim();
}
/**
 * Gets the values of an multiline input.  Each value is also trimmed.
 *
 * @param     name     name of the input to get
 * @param     options  optional. See InputOptions.
 * @returns   string[]
 *
 */
function getMultilineInput(name, options) {
    const inputs = getInput(name, options)
        .split('\n')
        .filter(x => x !== '');
    if (options && options.trimWhitespace === false) {
        return inputs;
    }
    return inputs.map(input => input.trim());
}
/**
 * Gets the input value of the boolean type in the YAML 1.2 "core schema" specification.
 * Support boolean input list: `true | True | TRUE | false | False | FALSE` .
 * The return value is also in boolean type.
 * ref: https://yaml.org/spec/1.2/spec.html#id2804923
 *
 * @param     name     name of the input to get
 * @param     options  optional. See InputOptions.
 * @returns   boolean
 */
function getBooleanInput(name, options) {
    const trueValue = ['true', 'True', 'TRUE'];
    const falseValue = ['false', 'False', 'FALSE'];
    const val = getInput(name, options);
    if (trueValue.includes(val))
        return true;
    if (falseValue.includes(val))
        return false;
    throw new TypeError(`Input does not meet YAML 1.2 "Core Schema" specification: ${name}\n` +
        `Support boolean input list: \`true | True | TRUE | false | False | FALSE\``);
}
/**
 * Sets the value of an output.
 *
 * @param     name     name of the output to set
 * @param     value    value to store. Non-string values will be converted to a string via JSON.stringify
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
function setOutput(name, value) {
    const filePath = process.env['GITHUB_OUTPUT'] || '';
    if (filePath) {
        return file_command_issueFileCommand('OUTPUT', file_command_prepareKeyValueMessage(name, value));
    }
    process.stdout.write(external_os_namespaceObject.EOL);
    command_issueCommand('set-output', { name }, utils_toCommandValue(value));
}
/**
 * Enables or disables the echoing of commands into stdout for the rest of the step.
 * Echoing is disabled by default if ACTIONS_STEP_DEBUG is not set.
 *
 */
function setCommandEcho(enabled) {
    issue('echo', enabled ? 'on' : 'off');
}
//-----------------------------------------------------------------------
// Results
//-----------------------------------------------------------------------
/**
 * Sets the action status to failed.
 * When the action exits it will be with an exit code of 1
 * @param message add error issue message
 */
function setFailed(message) {
    process.exitCode = ExitCode.Failure;
    error(message);
}
//-----------------------------------------------------------------------
// Logging Commands
//-----------------------------------------------------------------------
/**
 * Gets whether Actions Step Debug is on or not
 */
function isDebug() {
    return process.env['RUNNER_DEBUG'] === '1';
}
/**
 * Writes debug message to user log
 * @param message debug message
 */
function core_debug(message) {
    command_issueCommand('debug', {}, message);
}
/**
 * Adds an error issue
 * @param message error issue message. Errors will be converted to string via toString()
 * @param properties optional properties to add to the annotation.
 */
function error(message, properties = {}) {
    command_issueCommand('error', toCommandProperties(properties), message instanceof Error ? message.toString() : message);
}
/**
 * Adds a warning issue
 * @param message warning issue message. Errors will be converted to string via toString()
 * @param properties optional properties to add to the annotation.
 */
function warning(message, properties = {}) {
    command_issueCommand('warning', toCommandProperties(properties), message instanceof Error ? message.toString() : message);
}
/**
 * Adds a notice issue
 * @param message notice issue message. Errors will be converted to string via toString()
 * @param properties optional properties to add to the annotation.
 */
function notice(message, properties = {}) {
    command_issueCommand('notice', toCommandProperties(properties), message instanceof Error ? message.toString() : message);
}
/**
 * Writes info to log with console.log.
 * @param message info message
 */
function info(message) {
    process.stdout.write(message + external_os_namespaceObject.EOL);
}
/**
 * Begin an output group.
 *
 * Output until the next `groupEnd` will be foldable in this group
 *
 * @param name The name of the output group
 */
function startGroup(name) {
    issue('group', name);
}
/**
 * End an output group.
 */
function endGroup() {
    issue('endgroup');
}
/**
 * Wrap an asynchronous function call in a group.
 *
 * Returns the same type as the function itself.
 *
 * @param name The name of the group
 * @param fn The function to wrap in the group
 */
function group(name, fn) {
    return core_awaiter(this, void 0, void 0, function* () {
        startGroup(name);
        let result;
        try {
            result = yield fn();
        }
        finally {
            endGroup();
        }
        return result;
    });
}
//-----------------------------------------------------------------------
// Wrapper action state
//-----------------------------------------------------------------------
/**
 * Saves state for current action, the state can only be retrieved by this action's post job execution.
 *
 * @param     name     name of the state to store
 * @param     value    value to store. Non-string values will be converted to a string via JSON.stringify
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
function saveState(name, value) {
    const filePath = process.env['GITHUB_STATE'] || '';
    if (filePath) {
        return issueFileCommand('STATE', prepareKeyValueMessage(name, value));
    }
    issueCommand('save-state', { name }, toCommandValue(value));
}
/**
 * Gets the value of an state set by this action's main execution.
 *
 * @param     name     name of the state to get
 * @returns   string
 */
function getState(name) {
    return process.env[`STATE_${name}`] || '';
}
function getIDToken(aud) {
    return core_awaiter(this, void 0, void 0, function* () {
        return yield OidcClient.getIDToken(aud);
    });
}
/**
 * Summary exports
 */

/**
 * @deprecated use core.summary
 */

/**
 * Path exports
 */

/**
 * Platform utilities exports
 */

//# sourceMappingURL=core.js.map

/***/ }),

/***/ 4942:
/***/ ((__unused_webpack___webpack_module__, __webpack_exports__, __nccwpck_require__) => {


// EXPORTS
__nccwpck_require__.d(__webpack_exports__, {
  Qq: () => (/* binding */ HttpClient)
});

// UNUSED EXPORTS: Headers, HttpClientError, HttpClientResponse, HttpCodes, MediaTypes, getProxyUrl, isHttps

// EXTERNAL MODULE: external "http"
var external_http_ = __nccwpck_require__(8611);
var external_http_namespaceObject = /*#__PURE__*/__nccwpck_require__.t(external_http_, 2);
// EXTERNAL MODULE: external "https"
var external_https_ = __nccwpck_require__(5692);
var external_https_namespaceObject = /*#__PURE__*/__nccwpck_require__.t(external_https_, 2);
;// CONCATENATED MODULE: ./node_modules/@actions/http-client/lib/proxy.js
function getProxyUrl(reqUrl) {
    const usingSsl = reqUrl.protocol === 'https:';
    if (checkBypass(reqUrl)) {
        return undefined;
    }
    const proxyVar = (() => {
        if (usingSsl) {
            return process.env['https_proxy'] || process.env['HTTPS_PROXY'];
        }
        else {
            return process.env['http_proxy'] || process.env['HTTP_PROXY'];
        }
    })();
    if (proxyVar) {
        try {
            return new DecodedURL(proxyVar);
        }
        catch (_a) {
            if (!proxyVar.startsWith('http://') && !proxyVar.startsWith('https://'))
                return new DecodedURL(`http://${proxyVar}`);
        }
    }
    else {
        return undefined;
    }
}
function checkBypass(reqUrl) {
    if (!reqUrl.hostname) {
        return false;
    }
    const reqHost = reqUrl.hostname;
    if (isLoopbackAddress(reqHost)) {
        return true;
    }
    const noProxy = process.env['no_proxy'] || process.env['NO_PROXY'] || '';
    if (!noProxy) {
        return false;
    }
    // Determine the request port
    let reqPort;
    if (reqUrl.port) {
        reqPort = Number(reqUrl.port);
    }
    else if (reqUrl.protocol === 'http:') {
        reqPort = 80;
    }
    else if (reqUrl.protocol === 'https:') {
        reqPort = 443;
    }
    // Format the request hostname and hostname with port
    const upperReqHosts = [reqUrl.hostname.toUpperCase()];
    if (typeof reqPort === 'number') {
        upperReqHosts.push(`${upperReqHosts[0]}:${reqPort}`);
    }
    // Compare request host against noproxy
    for (const upperNoProxyItem of noProxy
        .split(',')
        .map(x => x.trim().toUpperCase())
        .filter(x => x)) {
        if (upperNoProxyItem === '*' ||
            upperReqHosts.some(x => x === upperNoProxyItem ||
                x.endsWith(`.${upperNoProxyItem}`) ||
                (upperNoProxyItem.startsWith('.') &&
                    x.endsWith(`${upperNoProxyItem}`)))) {
            return true;
        }
    }
    return false;
}
function isLoopbackAddress(host) {
    const hostLower = host.toLowerCase();
    return (hostLower === 'localhost' ||
        hostLower.startsWith('127.') ||
        hostLower.startsWith('[::1]') ||
        hostLower.startsWith('[0:0:0:0:0:0:0:1]'));
}
class DecodedURL extends URL {
    constructor(url, base) {
        super(url, base);
        this._decodedUsername = decodeURIComponent(super.username);
        this._decodedPassword = decodeURIComponent(super.password);
    }
    get username() {
        return this._decodedUsername;
    }
    get password() {
        return this._decodedPassword;
    }
}
//# sourceMappingURL=proxy.js.map
// EXTERNAL MODULE: ./node_modules/tunnel/index.js
var tunnel = __nccwpck_require__(770);
// EXTERNAL MODULE: ./packages/undici-unused/index.js
var undici_unused = __nccwpck_require__(1710);
;// CONCATENATED MODULE: ./node_modules/@actions/http-client/lib/index.js
/* eslint-disable @typescript-eslint/no-explicit-any */
var __awaiter = (undefined && undefined.__awaiter) || function (thisArg, _arguments, P, generator) {
    function adopt(value) { return value instanceof P ? value : new P(function (resolve) { resolve(value); }); }
    return new (P || (P = Promise))(function (resolve, reject) {
        function fulfilled(value) { try { step(generator.next(value)); } catch (e) { reject(e); } }
        function rejected(value) { try { step(generator["throw"](value)); } catch (e) { reject(e); } }
        function step(result) { result.done ? resolve(result.value) : adopt(result.value).then(fulfilled, rejected); }
        step((generator = generator.apply(thisArg, _arguments || [])).next());
    });
};





var HttpCodes;
(function (HttpCodes) {
    HttpCodes[HttpCodes["OK"] = 200] = "OK";
    HttpCodes[HttpCodes["MultipleChoices"] = 300] = "MultipleChoices";
    HttpCodes[HttpCodes["MovedPermanently"] = 301] = "MovedPermanently";
    HttpCodes[HttpCodes["ResourceMoved"] = 302] = "ResourceMoved";
    HttpCodes[HttpCodes["SeeOther"] = 303] = "SeeOther";
    HttpCodes[HttpCodes["NotModified"] = 304] = "NotModified";
    HttpCodes[HttpCodes["UseProxy"] = 305] = "UseProxy";
    HttpCodes[HttpCodes["SwitchProxy"] = 306] = "SwitchProxy";
    HttpCodes[HttpCodes["TemporaryRedirect"] = 307] = "TemporaryRedirect";
    HttpCodes[HttpCodes["PermanentRedirect"] = 308] = "PermanentRedirect";
    HttpCodes[HttpCodes["BadRequest"] = 400] = "BadRequest";
    HttpCodes[HttpCodes["Unauthorized"] = 401] = "Unauthorized";
    HttpCodes[HttpCodes["PaymentRequired"] = 402] = "PaymentRequired";
    HttpCodes[HttpCodes["Forbidden"] = 403] = "Forbidden";
    HttpCodes[HttpCodes["NotFound"] = 404] = "NotFound";
    HttpCodes[HttpCodes["MethodNotAllowed"] = 405] = "MethodNotAllowed";
    HttpCodes[HttpCodes["NotAcceptable"] = 406] = "NotAcceptable";
    HttpCodes[HttpCodes["ProxyAuthenticationRequired"] = 407] = "ProxyAuthenticationRequired";
    HttpCodes[HttpCodes["RequestTimeout"] = 408] = "RequestTimeout";
    HttpCodes[HttpCodes["Conflict"] = 409] = "Conflict";
    HttpCodes[HttpCodes["Gone"] = 410] = "Gone";
    HttpCodes[HttpCodes["TooManyRequests"] = 429] = "TooManyRequests";
    HttpCodes[HttpCodes["InternalServerError"] = 500] = "InternalServerError";
    HttpCodes[HttpCodes["NotImplemented"] = 501] = "NotImplemented";
    HttpCodes[HttpCodes["BadGateway"] = 502] = "BadGateway";
    HttpCodes[HttpCodes["ServiceUnavailable"] = 503] = "ServiceUnavailable";
    HttpCodes[HttpCodes["GatewayTimeout"] = 504] = "GatewayTimeout";
})(HttpCodes || (HttpCodes = {}));
var Headers;
(function (Headers) {
    Headers["Accept"] = "accept";
    Headers["ContentType"] = "content-type";
})(Headers || (Headers = {}));
var MediaTypes;
(function (MediaTypes) {
    MediaTypes["ApplicationJson"] = "application/json";
})(MediaTypes || (MediaTypes = {}));
/**
 * Returns the proxy URL, depending upon the supplied url and proxy environment variables.
 * @param serverUrl  The server URL where the request will be sent. For example, https://api.github.com
 */
function lib_getProxyUrl(serverUrl) {
    const proxyUrl = pm.getProxyUrl(new URL(serverUrl));
    return proxyUrl ? proxyUrl.href : '';
}
const HttpRedirectCodes = [
    HttpCodes.MovedPermanently,
    HttpCodes.ResourceMoved,
    HttpCodes.SeeOther,
    HttpCodes.TemporaryRedirect,
    HttpCodes.PermanentRedirect
];
const HttpResponseRetryCodes = [
    HttpCodes.BadGateway,
    HttpCodes.ServiceUnavailable,
    HttpCodes.GatewayTimeout
];
const RetryableHttpVerbs = ['OPTIONS', 'GET', 'DELETE', 'HEAD'];
const ExponentialBackoffCeiling = 10;
const ExponentialBackoffTimeSlice = 5;
class HttpClientError extends Error {
    constructor(message, statusCode) {
        super(message);
        this.name = 'HttpClientError';
        this.statusCode = statusCode;
        Object.setPrototypeOf(this, HttpClientError.prototype);
    }
}
class HttpClientResponse {
    constructor(message) {
        this.message = message;
    }
    readBody() {
        return __awaiter(this, void 0, void 0, function* () {
            return new Promise((resolve) => __awaiter(this, void 0, void 0, function* () {
                let output = Buffer.alloc(0);
                this.message.on('data', (chunk) => {
                    output = Buffer.concat([output, chunk]);
                });
                this.message.on('end', () => {
                    resolve(output.toString());
                });
            }));
        });
    }
    readBodyBuffer() {
        return __awaiter(this, void 0, void 0, function* () {
            return new Promise((resolve) => __awaiter(this, void 0, void 0, function* () {
                const chunks = [];
                this.message.on('data', (chunk) => {
                    chunks.push(chunk);
                });
                this.message.on('end', () => {
                    resolve(Buffer.concat(chunks));
                });
            }));
        });
    }
}
function isHttps(requestUrl) {
    const parsedUrl = new URL(requestUrl);
    return parsedUrl.protocol === 'https:';
}
class HttpClient {
    constructor(userAgent, handlers, requestOptions) {
        this._ignoreSslError = false;
        this._allowRedirects = true;
        this._allowRedirectDowngrade = false;
        this._maxRedirects = 50;
        this._allowRetries = false;
        this._maxRetries = 1;
        this._keepAlive = false;
        this._disposed = false;
        this.userAgent = this._getUserAgentWithOrchestrationId(userAgent);
        this.handlers = handlers || [];
        this.requestOptions = requestOptions;
        if (requestOptions) {
            if (requestOptions.ignoreSslError != null) {
                this._ignoreSslError = requestOptions.ignoreSslError;
            }
            this._socketTimeout = requestOptions.socketTimeout;
            if (requestOptions.allowRedirects != null) {
                this._allowRedirects = requestOptions.allowRedirects;
            }
            if (requestOptions.allowRedirectDowngrade != null) {
                this._allowRedirectDowngrade = requestOptions.allowRedirectDowngrade;
            }
            if (requestOptions.maxRedirects != null) {
                this._maxRedirects = Math.max(requestOptions.maxRedirects, 0);
            }
            if (requestOptions.keepAlive != null) {
                this._keepAlive = requestOptions.keepAlive;
            }
            if (requestOptions.allowRetries != null) {
                this._allowRetries = requestOptions.allowRetries;
            }
            if (requestOptions.maxRetries != null) {
                this._maxRetries = requestOptions.maxRetries;
            }
        }
    }
    options(requestUrl, additionalHeaders) {
        return __awaiter(this, void 0, void 0, function* () {
            return this.request('OPTIONS', requestUrl, null, additionalHeaders || {});
        });
    }
    get(requestUrl, additionalHeaders) {
        return __awaiter(this, void 0, void 0, function* () {
            return this.request('GET', requestUrl, null, additionalHeaders || {});
        });
    }
    del(requestUrl, additionalHeaders) {
        return __awaiter(this, void 0, void 0, function* () {
            return this.request('DELETE', requestUrl, null, additionalHeaders || {});
        });
    }
    post(requestUrl, data, additionalHeaders) {
        return __awaiter(this, void 0, void 0, function* () {
            return this.request('POST', requestUrl, data, additionalHeaders || {});
        });
    }
    patch(requestUrl, data, additionalHeaders) {
        return __awaiter(this, void 0, void 0, function* () {
            return this.request('PATCH', requestUrl, data, additionalHeaders || {});
        });
    }
    put(requestUrl, data, additionalHeaders) {
        return __awaiter(this, void 0, void 0, function* () {
            return this.request('PUT', requestUrl, data, additionalHeaders || {});
        });
    }
    head(requestUrl, additionalHeaders) {
        return __awaiter(this, void 0, void 0, function* () {
            return this.request('HEAD', requestUrl, null, additionalHeaders || {});
        });
    }
    sendStream(verb, requestUrl, stream, additionalHeaders) {
        return __awaiter(this, void 0, void 0, function* () {
            return this.request(verb, requestUrl, stream, additionalHeaders);
        });
    }
    /**
     * Gets a typed object from an endpoint
     * Be aware that not found returns a null.  Other errors (4xx, 5xx) reject the promise
     */
    getJson(requestUrl_1) {
        return __awaiter(this, arguments, void 0, function* (requestUrl, additionalHeaders = {}) {
            additionalHeaders[Headers.Accept] = this._getExistingOrDefaultHeader(additionalHeaders, Headers.Accept, MediaTypes.ApplicationJson);
            const res = yield this.get(requestUrl, additionalHeaders);
            return this._processResponse(res, this.requestOptions);
        });
    }
    postJson(requestUrl_1, obj_1) {
        return __awaiter(this, arguments, void 0, function* (requestUrl, obj, additionalHeaders = {}) {
            const data = JSON.stringify(obj, null, 2);
            additionalHeaders[Headers.Accept] = this._getExistingOrDefaultHeader(additionalHeaders, Headers.Accept, MediaTypes.ApplicationJson);
            additionalHeaders[Headers.ContentType] =
                this._getExistingOrDefaultContentTypeHeader(additionalHeaders, MediaTypes.ApplicationJson);
            const res = yield this.post(requestUrl, data, additionalHeaders);
            return this._processResponse(res, this.requestOptions);
        });
    }
    putJson(requestUrl_1, obj_1) {
        return __awaiter(this, arguments, void 0, function* (requestUrl, obj, additionalHeaders = {}) {
            const data = JSON.stringify(obj, null, 2);
            additionalHeaders[Headers.Accept] = this._getExistingOrDefaultHeader(additionalHeaders, Headers.Accept, MediaTypes.ApplicationJson);
            additionalHeaders[Headers.ContentType] =
                this._getExistingOrDefaultContentTypeHeader(additionalHeaders, MediaTypes.ApplicationJson);
            const res = yield this.put(requestUrl, data, additionalHeaders);
            return this._processResponse(res, this.requestOptions);
        });
    }
    patchJson(requestUrl_1, obj_1) {
        return __awaiter(this, arguments, void 0, function* (requestUrl, obj, additionalHeaders = {}) {
            const data = JSON.stringify(obj, null, 2);
            additionalHeaders[Headers.Accept] = this._getExistingOrDefaultHeader(additionalHeaders, Headers.Accept, MediaTypes.ApplicationJson);
            additionalHeaders[Headers.ContentType] =
                this._getExistingOrDefaultContentTypeHeader(additionalHeaders, MediaTypes.ApplicationJson);
            const res = yield this.patch(requestUrl, data, additionalHeaders);
            return this._processResponse(res, this.requestOptions);
        });
    }
    /**
     * Makes a raw http request.
     * All other methods such as get, post, patch, and request ultimately call this.
     * Prefer get, del, post and patch
     */
    request(verb, requestUrl, data, headers) {
        return __awaiter(this, void 0, void 0, function* () {
            if (this._disposed) {
                throw new Error('Client has already been disposed.');
            }
            const parsedUrl = new URL(requestUrl);
            let info = this._prepareRequest(verb, parsedUrl, headers);
            // Only perform retries on reads since writes may not be idempotent.
            const maxTries = this._allowRetries && RetryableHttpVerbs.includes(verb)
                ? this._maxRetries + 1
                : 1;
            let numTries = 0;
            let response;
            do {
                response = yield this.requestRaw(info, data);
                // Check if it's an authentication challenge
                if (response &&
                    response.message &&
                    response.message.statusCode === HttpCodes.Unauthorized) {
                    let authenticationHandler;
                    for (const handler of this.handlers) {
                        if (handler.canHandleAuthentication(response)) {
                            authenticationHandler = handler;
                            break;
                        }
                    }
                    if (authenticationHandler) {
                        return authenticationHandler.handleAuthentication(this, info, data);
                    }
                    else {
                        // We have received an unauthorized response but have no handlers to handle it.
                        // Let the response return to the caller.
                        return response;
                    }
                }
                let redirectsRemaining = this._maxRedirects;
                while (response.message.statusCode &&
                    HttpRedirectCodes.includes(response.message.statusCode) &&
                    this._allowRedirects &&
                    redirectsRemaining > 0) {
                    const redirectUrl = response.message.headers['location'];
                    if (!redirectUrl) {
                        // if there's no location to redirect to, we won't
                        break;
                    }
                    const parsedRedirectUrl = new URL(redirectUrl);
                    if (parsedUrl.protocol === 'https:' &&
                        parsedUrl.protocol !== parsedRedirectUrl.protocol &&
                        !this._allowRedirectDowngrade) {
                        throw new Error('Redirect from HTTPS to HTTP protocol. This downgrade is not allowed for security reasons. If you want to allow this behavior, set the allowRedirectDowngrade option to true.');
                    }
                    // we need to finish reading the response before reassigning response
                    // which will leak the open socket.
                    yield response.readBody();
                    // strip authorization header if redirected to a different hostname
                    if (parsedRedirectUrl.hostname !== parsedUrl.hostname) {
                        for (const header in headers) {
                            // header names are case insensitive
                            if (header.toLowerCase() === 'authorization') {
                                delete headers[header];
                            }
                        }
                    }
                    // let's make the request with the new redirectUrl
                    info = this._prepareRequest(verb, parsedRedirectUrl, headers);
                    response = yield this.requestRaw(info, data);
                    redirectsRemaining--;
                }
                if (!response.message.statusCode ||
                    !HttpResponseRetryCodes.includes(response.message.statusCode)) {
                    // If not a retry code, return immediately instead of retrying
                    return response;
                }
                numTries += 1;
                if (numTries < maxTries) {
                    yield response.readBody();
                    yield this._performExponentialBackoff(numTries);
                }
            } while (numTries < maxTries);
            return response;
        });
    }
    /**
     * Needs to be called if keepAlive is set to true in request options.
     */
    dispose() {
        if (this._agent) {
            this._agent.destroy();
        }
        this._disposed = true;
    }
    /**
     * Raw request.
     * @param info
     * @param data
     */
    requestRaw(info, data) {
        return __awaiter(this, void 0, void 0, function* () {
            return new Promise((resolve, reject) => {
                function callbackForResult(err, res) {
                    if (err) {
                        reject(err);
                    }
                    else if (!res) {
                        // If `err` is not passed, then `res` must be passed.
                        reject(new Error('Unknown error'));
                    }
                    else {
                        resolve(res);
                    }
                }
                this.requestRawWithCallback(info, data, callbackForResult);
            });
        });
    }
    /**
     * Raw request with callback.
     * @param info
     * @param data
     * @param onResult
     */
    requestRawWithCallback(info, data, onResult) {
        if (typeof data === 'string') {
            if (!info.options.headers) {
                info.options.headers = {};
            }
            info.options.headers['Content-Length'] = Buffer.byteLength(data, 'utf8');
        }
        let callbackCalled = false;
        function handleResult(err, res) {
            if (!callbackCalled) {
                callbackCalled = true;
                onResult(err, res);
            }
        }
        const req = info.httpModule.request(info.options, (msg) => {
            const res = new HttpClientResponse(msg);
            handleResult(undefined, res);
        });
        let socket;
        req.on('socket', sock => {
            socket = sock;
        });
        // If we ever get disconnected, we want the socket to timeout eventually
        req.setTimeout(this._socketTimeout || 3 * 60000, () => {
            if (socket) {
                socket.end();
            }
            handleResult(new Error(`Request timeout: ${info.options.path}`));
        });
        req.on('error', function (err) {
            // err has statusCode property
            // res should have headers
            handleResult(err);
        });
        if (data && typeof data === 'string') {
            req.write(data, 'utf8');
        }
        if (data && typeof data !== 'string') {
            data.on('close', function () {
                req.end();
            });
            data.pipe(req);
        }
        else {
            req.end();
        }
    }
    /**
     * Gets an http agent. This function is useful when you need an http agent that handles
     * routing through a proxy server - depending upon the url and proxy environment variables.
     * @param serverUrl  The server URL where the request will be sent. For example, https://api.github.com
     */
    getAgent(serverUrl) {
        const parsedUrl = new URL(serverUrl);
        return this._getAgent(parsedUrl);
    }
    getAgentDispatcher(serverUrl) {
        const parsedUrl = new URL(serverUrl);
        const proxyUrl = getProxyUrl(parsedUrl);
        const useProxy = proxyUrl && proxyUrl.hostname;
        if (!useProxy) {
            return;
        }
        return this._getProxyAgentDispatcher(parsedUrl, proxyUrl);
    }
    _prepareRequest(method, requestUrl, headers) {
        const info = {};
        info.parsedUrl = requestUrl;
        const usingSsl = info.parsedUrl.protocol === 'https:';
        info.httpModule = usingSsl ? external_https_namespaceObject : external_http_namespaceObject;
        const defaultPort = usingSsl ? 443 : 80;
        info.options = {};
        info.options.host = info.parsedUrl.hostname;
        info.options.port = info.parsedUrl.port
            ? parseInt(info.parsedUrl.port)
            : defaultPort;
        info.options.path =
            (info.parsedUrl.pathname || '') + (info.parsedUrl.search || '');
        info.options.method = method;
        info.options.headers = this._mergeHeaders(headers);
        if (this.userAgent != null) {
            info.options.headers['user-agent'] = this.userAgent;
        }
        info.options.agent = this._getAgent(info.parsedUrl);
        // gives handlers an opportunity to participate
        if (this.handlers) {
            for (const handler of this.handlers) {
                handler.prepareRequest(info.options);
            }
        }
        return info;
    }
    _mergeHeaders(headers) {
        if (this.requestOptions && this.requestOptions.headers) {
            return Object.assign({}, lowercaseKeys(this.requestOptions.headers), lowercaseKeys(headers || {}));
        }
        return lowercaseKeys(headers || {});
    }
    /**
     * Gets an existing header value or returns a default.
     * Handles converting number header values to strings since HTTP headers must be strings.
     * Note: This returns string | string[] since some headers can have multiple values.
     * For headers that must always be a single string (like Content-Type), use the
     * specialized _getExistingOrDefaultContentTypeHeader method instead.
     */
    _getExistingOrDefaultHeader(additionalHeaders, header, _default) {
        let clientHeader;
        if (this.requestOptions && this.requestOptions.headers) {
            const headerValue = lowercaseKeys(this.requestOptions.headers)[header];
            if (headerValue) {
                clientHeader =
                    typeof headerValue === 'number' ? headerValue.toString() : headerValue;
            }
        }
        const additionalValue = additionalHeaders[header];
        if (additionalValue !== undefined) {
            return typeof additionalValue === 'number'
                ? additionalValue.toString()
                : additionalValue;
        }
        if (clientHeader !== undefined) {
            return clientHeader;
        }
        return _default;
    }
    /**
     * Specialized version of _getExistingOrDefaultHeader for Content-Type header.
     * Always returns a single string (not an array) since Content-Type should be a single value.
     * Converts arrays to comma-separated strings and numbers to strings to ensure type safety.
     * This was split from _getExistingOrDefaultHeader to provide stricter typing for callers
     * that assign the result to places expecting a string (e.g., additionalHeaders[Headers.ContentType]).
     */
    _getExistingOrDefaultContentTypeHeader(additionalHeaders, _default) {
        let clientHeader;
        if (this.requestOptions && this.requestOptions.headers) {
            const headerValue = lowercaseKeys(this.requestOptions.headers)[Headers.ContentType];
            if (headerValue) {
                if (typeof headerValue === 'number') {
                    clientHeader = String(headerValue);
                }
                else if (Array.isArray(headerValue)) {
                    clientHeader = headerValue.join(', ');
                }
                else {
                    clientHeader = headerValue;
                }
            }
        }
        const additionalValue = additionalHeaders[Headers.ContentType];
        // Return the first non-undefined value, converting numbers or arrays to strings if necessary
        if (additionalValue !== undefined) {
            if (typeof additionalValue === 'number') {
                return String(additionalValue);
            }
            else if (Array.isArray(additionalValue)) {
                return additionalValue.join(', ');
            }
            else {
                return additionalValue;
            }
        }
        if (clientHeader !== undefined) {
            return clientHeader;
        }
        return _default;
    }
    _getAgent(parsedUrl) {
        let agent;
        const proxyUrl = getProxyUrl(parsedUrl);
        const useProxy = proxyUrl && proxyUrl.hostname;
        if (this._keepAlive && useProxy) {
            agent = this._proxyAgent;
        }
        if (!useProxy) {
            agent = this._agent;
        }
        // if agent is already assigned use that agent.
        if (agent) {
            return agent;
        }
        const usingSsl = parsedUrl.protocol === 'https:';
        let maxSockets = 100;
        if (this.requestOptions) {
            maxSockets = this.requestOptions.maxSockets || external_http_.globalAgent.maxSockets;
        }
        // This is `useProxy` again, but we need to check `proxyURl` directly for TypeScripts's flow analysis.
        if (proxyUrl && proxyUrl.hostname) {
            const agentOptions = {
                maxSockets,
                keepAlive: this._keepAlive,
                proxy: Object.assign(Object.assign({}, ((proxyUrl.username || proxyUrl.password) && {
                    proxyAuth: `${proxyUrl.username}:${proxyUrl.password}`
                })), { host: proxyUrl.hostname, port: proxyUrl.port })
            };
            let tunnelAgent;
            const overHttps = proxyUrl.protocol === 'https:';
            if (usingSsl) {
                tunnelAgent = overHttps ? tunnel.httpsOverHttps : tunnel.httpsOverHttp;
            }
            else {
                tunnelAgent = overHttps ? tunnel.httpOverHttps : tunnel.httpOverHttp;
            }
            agent = tunnelAgent(agentOptions);
            this._proxyAgent = agent;
        }
        // if tunneling agent isn't assigned create a new agent
        if (!agent) {
            const options = { keepAlive: this._keepAlive, maxSockets };
            agent = usingSsl ? new external_https_.Agent(options) : new external_http_.Agent(options);
            this._agent = agent;
        }
        if (usingSsl && this._ignoreSslError) {
            // we don't want to set NODE_TLS_REJECT_UNAUTHORIZED=0 since that will affect request for entire process
            // http.RequestOptions doesn't expose a way to modify RequestOptions.agent.options
            // we have to cast it to any and change it directly
            agent.options = Object.assign(agent.options || {}, {
                rejectUnauthorized: false
            });
        }
        return agent;
    }
    _getProxyAgentDispatcher(parsedUrl, proxyUrl) {
        let proxyAgent;
        if (this._keepAlive) {
            proxyAgent = this._proxyAgentDispatcher;
        }
        // if agent is already assigned use that agent.
        if (proxyAgent) {
            return proxyAgent;
        }
        const usingSsl = parsedUrl.protocol === 'https:';
        proxyAgent = new undici_unused.ProxyAgent(Object.assign({ uri: proxyUrl.href, pipelining: !this._keepAlive ? 0 : 1 }, ((proxyUrl.username || proxyUrl.password) && {
            token: `Basic ${Buffer.from(`${proxyUrl.username}:${proxyUrl.password}`).toString('base64')}`
        })));
        this._proxyAgentDispatcher = proxyAgent;
        if (usingSsl && this._ignoreSslError) {
            // we don't want to set NODE_TLS_REJECT_UNAUTHORIZED=0 since that will affect request for entire process
            // http.RequestOptions doesn't expose a way to modify RequestOptions.agent.options
            // we have to cast it to any and change it directly
            proxyAgent.options = Object.assign(proxyAgent.options.requestTls || {}, {
                rejectUnauthorized: false
            });
        }
        return proxyAgent;
    }
    _getUserAgentWithOrchestrationId(userAgent) {
        const baseUserAgent = userAgent || 'actions/http-client';
        const orchId = process.env['ACTIONS_ORCHESTRATION_ID'];
        if (orchId) {
            // Sanitize the orchestration ID to ensure it contains only valid characters
            // Valid characters: 0-9, a-z, _, -, .
            const sanitizedId = orchId.replace(/[^a-z0-9_.-]/gi, '_');
            return `${baseUserAgent} actions_orchestration_id/${sanitizedId}`;
        }
        return baseUserAgent;
    }
    _performExponentialBackoff(retryNumber) {
        return __awaiter(this, void 0, void 0, function* () {
            retryNumber = Math.min(ExponentialBackoffCeiling, retryNumber);
            const ms = ExponentialBackoffTimeSlice * Math.pow(2, retryNumber);
            return new Promise(resolve => setTimeout(() => resolve(), ms));
        });
    }
    _processResponse(res, options) {
        return __awaiter(this, void 0, void 0, function* () {
            return new Promise((resolve, reject) => __awaiter(this, void 0, void 0, function* () {
                const statusCode = res.message.statusCode || 0;
                const response = {
                    statusCode,
                    result: null,
                    headers: {}
                };
                // not found leads to null obj returned
                if (statusCode === HttpCodes.NotFound) {
                    resolve(response);
                }
                // get the result from the body
                function dateTimeDeserializer(key, value) {
                    if (typeof value === 'string') {
                        const a = new Date(value);
                        if (!isNaN(a.valueOf())) {
                            return a;
                        }
                    }
                    return value;
                }
                let obj;
                let contents;
                try {
                    contents = yield res.readBody();
                    if (contents && contents.length > 0) {
                        if (options && options.deserializeDates) {
                            obj = JSON.parse(contents, dateTimeDeserializer);
                        }
                        else {
                            obj = JSON.parse(contents);
                        }
                        response.result = obj;
                    }
                    response.headers = res.message.headers;
                }
                catch (err) {
                    // Invalid resource (contents not json);  leaving result obj null
                }
                // note that 3xx redirects are handled by the http layer.
                if (statusCode > 299) {
                    let msg;
                    // if exception/error in body, attempt to get better error
                    if (obj && obj.message) {
                        msg = obj.message;
                    }
                    else if (contents && contents.length > 0) {
                        // it may be the case that the exception is in the body message as string
                        msg = contents;
                    }
                    else {
                        msg = `Failed request: (${statusCode})`;
                    }
                    const err = new HttpClientError(msg, statusCode);
                    err.result = response.result;
                    reject(err);
                }
                else {
                    resolve(response);
                }
            }));
        });
    }
}
const lowercaseKeys = (obj) => Object.keys(obj).reduce((c, k) => ((c[k.toLowerCase()] = obj[k]), c), {});
//# sourceMappingURL=index.js.map

/***/ })

/******/ });
/************************************************************************/
/******/ // The module cache
/******/ var __webpack_module_cache__ = {};
/******/ 
/******/ // The require function
/******/ function __nccwpck_require__(moduleId) {
/******/ 	// Check if module is in cache
/******/ 	var cachedModule = __webpack_module_cache__[moduleId];
/******/ 	if (cachedModule !== undefined) {
/******/ 		return cachedModule.exports;
/******/ 	}
/******/ 	// Create a new module (and put it into the cache)
/******/ 	var module = __webpack_module_cache__[moduleId] = {
/******/ 		// no module.id needed
/******/ 		// no module.loaded needed
/******/ 		exports: {}
/******/ 	};
/******/ 
/******/ 	// Execute the module function
/******/ 	var threw = true;
/******/ 	try {
/******/ 		__webpack_modules__[moduleId](module, module.exports, __nccwpck_require__);
/******/ 		threw = false;
/******/ 	} finally {
/******/ 		if(threw) delete __webpack_module_cache__[moduleId];
/******/ 	}
/******/ 
/******/ 	// Return the exports of the module
/******/ 	return module.exports;
/******/ }
/******/ 
/************************************************************************/
/******/ /* webpack/runtime/asset-relocator-loader */
/******/ if (typeof __nccwpck_require__ !== 'undefined') __nccwpck_require__.ab = decodeURIComponent(new URL('.', import.meta.url).pathname).slice(import.meta.url.match(/^file:\/\/\/\w:/) ? 1 : 0, -1) + "/";
/******/ 
/******/ /* webpack/runtime/async module */
/******/ (() => {
/******/ 	var webpackQueues = typeof Symbol === "function" ? Symbol("webpack queues") : "__webpack_queues__";
/******/ 	var webpackExports = typeof Symbol === "function" ? Symbol("webpack exports") : "__webpack_exports__";
/******/ 	var webpackError = typeof Symbol === "function" ? Symbol("webpack error") : "__webpack_error__";
/******/ 	var resolveQueue = (queue) => {
/******/ 		if(queue && queue.d < 1) {
/******/ 			queue.d = 1;
/******/ 			queue.forEach((fn) => (fn.r--));
/******/ 			queue.forEach((fn) => (fn.r-- ? fn.r++ : fn()));
/******/ 		}
/******/ 	}
/******/ 	var wrapDeps = (deps) => (deps.map((dep) => {
/******/ 		if(dep !== null && typeof dep === "object") {
/******/ 			if(dep[webpackQueues]) return dep;
/******/ 			if(dep.then) {
/******/ 				var queue = [];
/******/ 				queue.d = 0;
/******/ 				dep.then((r) => {
/******/ 					obj[webpackExports] = r;
/******/ 					resolveQueue(queue);
/******/ 				}, (e) => {
/******/ 					obj[webpackError] = e;
/******/ 					resolveQueue(queue);
/******/ 				});
/******/ 				var obj = {};
/******/ 				obj[webpackQueues] = (fn) => (fn(queue));
/******/ 				return obj;
/******/ 			}
/******/ 		}
/******/ 		var ret = {};
/******/ 		ret[webpackQueues] = x => {};
/******/ 		ret[webpackExports] = dep;
/******/ 		return ret;
/******/ 	}));
/******/ 	__nccwpck_require__.a = (module, body, hasAwait) => {
/******/ 		var queue;
/******/ 		hasAwait && ((queue = []).d = -1);
/******/ 		var depQueues = new Set();
/******/ 		var exports = module.exports;
/******/ 		var currentDeps;
/******/ 		var outerResolve;
/******/ 		var reject;
/******/ 		var promise = new Promise((resolve, rej) => {
/******/ 			reject = rej;
/******/ 			outerResolve = resolve;
/******/ 		});
/******/ 		promise[webpackExports] = exports;
/******/ 		promise[webpackQueues] = (fn) => (queue && fn(queue), depQueues.forEach(fn), promise["catch"](x => {}));
/******/ 		module.exports = promise;
/******/ 		body((deps) => {
/******/ 			currentDeps = wrapDeps(deps);
/******/ 			var fn;
/******/ 			var getResult = () => (currentDeps.map((d) => {
/******/ 				if(d[webpackError]) throw d[webpackError];
/******/ 				return d[webpackExports];
/******/ 			}))
/******/ 			var promise = new Promise((resolve) => {
/******/ 				fn = () => (resolve(getResult));
/******/ 				fn.r = 0;
/******/ 				var fnQueue = (q) => (q !== queue && !depQueues.has(q) && (depQueues.add(q), q && !q.d && (fn.r++, q.push(fn))));
/******/ 				currentDeps.map((dep) => (dep[webpackQueues](fnQueue)));
/******/ 			});
/******/ 			return fn.r ? promise : getResult();
/******/ 		}, (err) => ((err ? reject(promise[webpackError] = err) : outerResolve(exports)), resolveQueue(queue)));
/******/ 		queue && queue.d < 0 && (queue.d = 0);
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/compat get default export */
/******/ (() => {
/******/ 	// getDefaultExport function for compatibility with non-harmony modules
/******/ 	__nccwpck_require__.n = (module) => {
/******/ 		var getter = module && module.__esModule ?
/******/ 			() => (module['default']) :
/******/ 			() => (module);
/******/ 		__nccwpck_require__.d(getter, { a: getter });
/******/ 		return getter;
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/create fake namespace object */
/******/ (() => {
/******/ 	var getProto = Object.getPrototypeOf ? (obj) => (Object.getPrototypeOf(obj)) : (obj) => (obj.__proto__);
/******/ 	var leafPrototypes;
/******/ 	// create a fake namespace object
/******/ 	// mode & 1: value is a module id, require it
/******/ 	// mode & 2: merge all properties of value into the ns
/******/ 	// mode & 4: return value when already ns object
/******/ 	// mode & 16: return value when it's Promise-like
/******/ 	// mode & 8|1: behave like require
/******/ 	__nccwpck_require__.t = function(value, mode) {
/******/ 		if(mode & 1) value = this(value);
/******/ 		if(mode & 8) return value;
/******/ 		if(typeof value === 'object' && value) {
/******/ 			if((mode & 4) && value.__esModule) return value;
/******/ 			if((mode & 16) && typeof value.then === 'function') return value;
/******/ 		}
/******/ 		var ns = Object.create(null);
/******/ 		__nccwpck_require__.r(ns);
/******/ 		var def = {};
/******/ 		leafPrototypes = leafPrototypes || [null, getProto({}), getProto([]), getProto(getProto)];
/******/ 		for(var current = mode & 2 && value; typeof current == 'object' && !~leafPrototypes.indexOf(current); current = getProto(current)) {
/******/ 			Object.getOwnPropertyNames(current).forEach((key) => (def[key] = () => (value[key])));
/******/ 		}
/******/ 		def['default'] = () => (value);
/******/ 		__nccwpck_require__.d(ns, def);
/******/ 		return ns;
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/define property getters */
/******/ (() => {
/******/ 	// define getter functions for harmony exports
/******/ 	__nccwpck_require__.d = (exports, definition) => {
/******/ 		for(var key in definition) {
/******/ 			if(__nccwpck_require__.o(definition, key) && !__nccwpck_require__.o(exports, key)) {
/******/ 				Object.defineProperty(exports, key, { enumerable: true, get: definition[key] });
/******/ 			}
/******/ 		}
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/hasOwnProperty shorthand */
/******/ (() => {
/******/ 	__nccwpck_require__.o = (obj, prop) => (Object.prototype.hasOwnProperty.call(obj, prop))
/******/ })();
/******/ 
/******/ /* webpack/runtime/make namespace object */
/******/ (() => {
/******/ 	// define __esModule on exports
/******/ 	__nccwpck_require__.r = (exports) => {
/******/ 		if(typeof Symbol !== 'undefined' && Symbol.toStringTag) {
/******/ 			Object.defineProperty(exports, Symbol.toStringTag, { value: 'Module' });
/******/ 		}
/******/ 		Object.defineProperty(exports, '__esModule', { value: true });
/******/ 	};
/******/ })();
/******/ 
/************************************************************************/
/******/ 
/******/ // startup
/******/ // Load entry module and return exports
/******/ // This entry module used 'module' so it can't be inlined
/******/ var __webpack_exports__ = __nccwpck_require__(9407);
/******/ __webpack_exports__ = await __webpack_exports__;
/******/ var __webpack_exports__deployAction = __webpack_exports__.K8;
/******/ var __webpack_exports__oneOffAction = __webpack_exports__.WV;
/******/ var __webpack_exports__reviewAppAction = __webpack_exports__.M0;
/******/ export { __webpack_exports__deployAction as deployAction, __webpack_exports__oneOffAction as oneOffAction, __webpack_exports__reviewAppAction as reviewAppAction };
/******/ 

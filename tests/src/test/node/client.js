'use strict';
// Node's xDS client (@grpc/grpc-js-xds) as the end-to-end tests drive it.
//
// Bootstrap: GRPC_XDS_BOOTSTRAP_CONFIG (or GRPC_XDS_BOOTSTRAP), read by grpc-js-xds itself.
// Protocol: one JSON object per line on stdin, one answer per line on stdout, in order.
//   request  {"target": "echo.shop:7070", "calls": 20, "headers": {"x-variant": "b"},
//             "deadlineMs": 10000, "parallel": false, "method": "UnaryRpc"}
//   answer   {"results": [{"backend": "v1"}, {"code": 14, "details": "..."}]}
// The first line written is {"ready": true, versions}. The process ends when stdin closes.

const grpc = require('@grpc/grpc-js');
const xds = require('@grpc/grpc-js-xds');
const readline = require('readline');

xds.register();

// grpc.testing.SimpleService: SimpleRequest and SimpleResponse each hold one string, field 1.
function encodeRequest() {
  return Buffer.alloc(0);
}

function decodeResponse(buf) {
  let i = 0;
  function varint() {
    let value = 0;
    let shift = 0;
    for (;;) {
      const b = buf[i++];
      value += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) {
        return value;
      }
      shift += 7;
    }
  }
  let message = '';
  while (i < buf.length) {
    const key = varint();
    const wire = key & 7;
    if (wire === 2) {
      const len = varint();
      if (key >>> 3 === 1) {
        message = buf.toString('utf8', i, i + len);
      }
      i += len;
    } else if (wire === 0) {
      varint();
    } else {
      throw new Error('unexpected wire type ' + wire);
    }
  }
  return message;
}

const clients = new Map();

function client(target) {
  let c = clients.get(target);
  if (!c) {
    c = new grpc.Client('xds:///' + target, grpc.credentials.createInsecure());
    clients.set(target, c);
  }
  return c;
}

function call(req) {
  const metadata = new grpc.Metadata({ waitForReady: true });
  for (const [name, value] of Object.entries(req.headers || {})) {
    metadata.set(name, value);
  }
  const method = '/grpc.testing.SimpleService/' + (req.method || 'UnaryRpc');
  return new Promise((resolve) => {
    client(req.target).makeUnaryRequest(
      method,
      encodeRequest,
      decodeResponse,
      {},
      metadata,
      { deadline: Date.now() + (req.deadlineMs || 10000) },
      (err, backend) => {
        if (err) {
          resolve({ code: err.code, details: err.details });
        } else {
          resolve({ backend });
        }
      }
    );
  });
}

async function serve(req) {
  const n = req.calls || 1;
  if (req.parallel) {
    return Promise.all(Array.from({ length: n }, () => call(req)));
  }
  const results = [];
  for (let i = 0; i < n; i++) {
    results.push(await call(req));
  }
  return results;
}

function write(obj) {
  process.stdout.write(JSON.stringify(obj) + '\n');
}

// Answers go out in the order requests came in.
let queue = Promise.resolve();
const lines = readline.createInterface({ input: process.stdin });
lines.on('line', (line) => {
  if (!line.trim()) {
    return;
  }
  queue = queue.then(async () => {
    try {
      write({ results: await serve(JSON.parse(line)) });
    } catch (e) {
      write({ error: String(e && e.stack ? e.stack : e) });
    }
  });
});
lines.on('close', () => {
  queue.then(() => {
    for (const c of clients.values()) {
      c.close();
    }
    process.exit(0);
  });
});

write({
  ready: true,
  node: process.version,
  grpcJs: require('@grpc/grpc-js/package.json').version,
  grpcJsXds: require('@grpc/grpc-js-xds/package.json').version,
});

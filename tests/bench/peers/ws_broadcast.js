// ws_broadcast.js: a broadcast server on node's `ws` package, a peer for
// chatd's benchmark (tests/bench/run.sh). Every text or binary message from
// any client goes to every connected client, the sender included: one lobby,
// nothing else, written the way the ws README broadcasts.
//
// Usage: node ws_broadcast.js PORT
// ws comes from tests/clients/node_modules (npm install there), the same copy
// the client tests use. Left out on purpose: permessage-deflate (chatd does
// not offer it either), authentication, rooms.
'use strict';
const path = require('path');

function loadWs() {
  try {
    return require(path.join(__dirname, '..', '..', 'clients', 'node_modules', 'ws'));
  } catch (error) {
    return require('ws');
  }
}

const { WebSocketServer, WebSocket } = loadWs();
const port = Number(process.argv[2]);
if (!Number.isInteger(port) || port <= 0) {
  console.error('usage: node ws_broadcast.js PORT');
  process.exit(2);
}

// backlog matches chatd's listen(fd, 4096), so a handshake storm meets the
// same queue; maxPayload matches chatd's default --max-message.
const server = new WebSocketServer({
  host: '127.0.0.1',
  port,
  backlog: 4096,
  perMessageDeflate: false,
  maxPayload: 64 * 1024,
});

server.on('connection', (socket) => {
  socket.on('message', (data, isBinary) => {
    for (const client of server.clients) {
      if (client.readyState === WebSocket.OPEN) client.send(data, { binary: isBinary });
    }
  });
  socket.on('error', () => {});  // a reset client is not the server's problem
});
server.on('listening', () => console.log(`ws broadcast listening on 127.0.0.1:${port}`));
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => process.exit(0));

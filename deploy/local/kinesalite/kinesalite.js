// Starts kinesalite (in memory) bound to one address; its own command line listens on all
// interfaces. Prints "kinesalite listening at http://HOST:PORT" once it accepts connections.
//
//   node kinesalite.js --modules DIR [--host 127.0.0.1] [--port 4567] [--create-stream-ms 500]
//                      [--exit-on-stdin-end]
//
// --modules is the directory that `npm ci` installed package.json into. --port 0 takes a free port
// (the printed line tells which). --exit-on-stdin-end stops the server when standard input ends, so
// a test that starts it and dies without cleaning up does not leave it behind.
'use strict';
const path = require('path');

const options = {host: '127.0.0.1', port: '4567', 'create-stream-ms': '500'};
const args = process.argv.slice(2);
for (let i = 0; i < args.length; i++) {
  const name = args[i].replace(/^--/, '');
  if (name === 'exit-on-stdin-end') {
    options[name] = true;
  } else if (name in options || name === 'modules') {
    options[name] = args[++i];
  } else {
    console.error(`unknown option ${args[i]}`);
    process.exit(2);
  }
}
if (!options.modules) {
  console.error('--modules DIR is required');
  process.exit(2);
}

const kinesalite = require(path.resolve(options.modules, 'node_modules', 'kinesalite'));
const delay = Number(options['create-stream-ms']);
const server = kinesalite({createStreamMs: delay, deleteStreamMs: delay, updateStreamMs: delay});
server.on('error', (error) => {
  console.error(`kinesalite could not listen on ${options.host}:${options.port}: ${error.message}`);
  process.exit(1);
});
server.listen(Number(options.port), options.host, () => {
  const address = server.address();
  console.log(`kinesalite listening at http://${address.address}:${address.port}`);
});

if (options['exit-on-stdin-end']) {
  process.stdin.on('end', () => process.exit(0));
  process.stdin.resume();
}
process.on('SIGTERM', () => process.exit(0));

// The application the export tests run behind an exported Express module:
//
//   NODE_PATH=.tools/peers/node/node_modules node express_app.js MODULE
//
// MODULE is the CORS middleware under test (`corsica export --to express`,
// or a deliberately broken one). Prints `PORT <n>` once listening on an
// ephemeral port of 127.0.0.1. /error answers 500, /throw throws (Express's
// own error answer), everything else 200; every answer from the
// application carries `x-upstream: yes`.
'use strict';

const express = require('express');
const corsPolicy = require(process.argv[2]);

const app = express();
app.use(corsPolicy);
app.use((req, res) => {
  if (req.path === '/throw') {
    throw new Error('the application failed');
  }
  res.set('x-upstream', 'yes');
  res.status(req.path === '/error' ? 500 : 200).send('ok');
});

const server = app.listen(0, '127.0.0.1', () => {
  console.log(`PORT ${server.address().port}`);
});

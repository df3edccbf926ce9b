// Compiled with tsc --strict against the installed package: the CommonJS entry point's types.
import droplet = require('droplet-action');

const client = new droplet.Client({ token: 'mock-token', baseUrl: 'http://127.0.0.1:1', maxRetries: 0 });
client.get(1, 2).then(
  (action: droplet.Action) => action.id,
  (error: unknown) => (error instanceof droplet.TransportError ? error.attempts : 0),
);

// Must not compile: each line is a mistake the types catch.
import { Client } from 'droplet-action';

const client = new Client({ token: 'mock-token' });
await client.get('1', 2);
await client.wait(1, 2, { pollInterval: '3s' });
new Client({ baseUrl: 'http://127.0.0.1:1' });
client.watch(1, 2, { onPoll: () => {} });

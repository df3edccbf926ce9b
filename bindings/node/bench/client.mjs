// One benchmark client, for bench/run.sh.
//
//   node client.mjs KIND BASE_URL N
//
// KIND: droplet-action (this package), dots-wrapper (a community DigitalOcean client on
// axios) or fetch (Node's own fetch and JSON.parse, by hand). Makes N sequential calls to
// the documented action with one client, checks the id of every answer, and prints
//   calls=N wall_s=SECONDS cpu_us_per_call=MICROSECONDS maxrss_kib=KIB
// (time and CPU over the calls, peak RSS of the whole process).
const TOKEN = 'mock-token';
const DROPLET = 3164444;
const ACTION = 36804636;

async function dropletAction(base) {
  const { Client } = await import('droplet-action');
  const client = new Client({ token: TOKEN, baseUrl: base });
  return async () => (await client.get(DROPLET, ACTION)).id;
}

async function dotsWrapper(base) {
  const { createApiClient } = await import('dots-wrapper');
  const dots = createApiClient({ token: TOKEN, endpoint: `${base}/v2` });
  return async () =>
    (await dots.droplet.getDropletAction({ droplet_id: DROPLET, action_id: ACTION })).data.action.id;
}

async function plainFetch(base) {
  const url = `${base}/v2/droplets/${DROPLET}/actions/${ACTION}`;
  const headers = { authorization: `Bearer ${TOKEN}`, accept: 'application/json' };
  return async () => {
    const response = await fetch(url, { headers });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    return (await response.json()).action.id;
  };
}

const KINDS = { 'droplet-action': dropletAction, 'dots-wrapper': dotsWrapper, fetch: plainFetch };
const [kind, base, count] = process.argv.slice(2);
const calls = Number(count);
if (!(kind in KINDS) || !base || !Number.isInteger(calls) || calls < 1) {
  console.error('usage: node client.mjs droplet-action|dots-wrapper|fetch BASE_URL N');
  process.exit(2);
}
const call = await KINDS[kind](base);
const wall = performance.now();
const cpu = process.cpuUsage();
for (let i = 0; i < calls; i++) {
  if ((await call()) !== ACTION) throw new Error('wrong action id');
}
const seconds = (performance.now() - wall) / 1000;
const used = process.cpuUsage(cpu);
const rss = process.resourceUsage().maxRSS;
console.log(
  `calls=${calls} wall_s=${seconds.toFixed(6)} cpu_us_per_call=${((used.user + used.system) / calls).toFixed(3)} maxrss_kib=${rss}`,
);
// The client's kept-alive connection would hold the process open.
process.exit(0);

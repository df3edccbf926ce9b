// N sequential gets of the documented action on one client of the package in DIR, after
// 300 to warm up: wall time and the main thread's CPU per call.
//
//   node get-loop.mjs DIR BASE_URL N
const [dir, base, n] = process.argv.slice(2);
const { Client } = await import(`${dir}/index.mjs`);
const client = new Client({ token: 'mock-token', baseUrl: base });
for (let i = 0; i < 300; i++) await client.get(3164444, 36804636);
const t = process.hrtime.bigint(); const c0 = process.cpuUsage();
for (let i = 0; i < Number(n); i++) await client.get(3164444, 36804636);
const wall = Number(process.hrtime.bigint() - t) / 1e6; const cpu = process.cpuUsage(c0);
console.log(`${dir} wall_us_per_call=${(wall*1000/n).toFixed(1)} main_cpu_us_per_call=${((cpu.user+cpu.system)/n).toFixed(1)}`);
client.close();

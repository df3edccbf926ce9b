// Compiled with tsc --strict against the installed package: the ESM entry point's types.
import {
  ActionErroredError,
  ActionStatus,
  CancelledError,
  Client,
  DropletActionError,
  type Action,
  type PollEvent,
  TimeoutError,
  defaults,
} from 'droplet-action';

const client: Client = Client.fromEnv({ timeout: defaults.timeout, log: (level, message) => void [level, message] });
const controller = new AbortController();
const action: Action = await client.get(3164444, 36804636, { signal: controller.signal });
const status: ActionStatus | null = action.status;
const started: Date | null = action.startedAt;
try {
  await client.wait(3164444, 36804636n, {
    timeout: 600_000,
    pollInterval: 3_000,
    onPoll: (event: PollEvent) => event.requests,
  });
  for await (const event of client.watch(3164444, 36804636, { pollInterval: 3_000, signal: controller.signal })) {
    const next: number | null = event.nextPollInMs;
    const http: number | null = event.httpStatus;
    console.log(event.statusText, event.elapsedMs, event.polls, next, http);
  }
} catch (error) {
  if (error instanceof ActionErroredError) console.log(error.action.statusText);
  else if (error instanceof TimeoutError) console.log(error.last?.status);
  else if (error instanceof CancelledError) console.log(error.name === 'AbortError');
}
const all: Action[] = await client.waitMany([[1, 2]]);
const mixed = await client.waitMany([[1, 2]], { returnExceptions: true });
console.log(status, started, all, mixed.map((m) => (m instanceof Error ? m.httpStatus : m.id)));
client.close();
const events = client.watch(1, 2);
const first: IteratorResult<PollEvent, undefined> = await events.next();
await events.return();
declare const wantErrors: boolean;
const either: (Action | DropletActionError)[] = await client.waitMany([[1, 2]], { returnExceptions: wantErrors });

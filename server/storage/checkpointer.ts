// WAL checkpoints off the request path. A checkpoint copies the WAL into the
// database file and fsyncs it; done by the connection that commits, it stalls that
// commit (and every webhook queued behind it) for milliseconds. A worker thread
// with its own connection checkpoints PASSIVE-ly once a second instead: writers
// never wait for it. The main connection keeps a high auto-checkpoint as a
// safety net should the worker die.
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.path);
db.pragma('busy_timeout = 1000');
const timer = setInterval(() => {
  try { db.pragma('wal_checkpoint(PASSIVE)'); } catch (err) { parentPort.postMessage({ error: String(err && err.message || err) }); }
}, workerData.everyMs);
parentPort.on('message', (m) => {
  if (m === 'stop') {
    clearInterval(timer);
    try { db.pragma('wal_checkpoint(PASSIVE)'); } catch {}
    db.close();
    parentPort.close();
  }
});
`;

export interface Checkpointer { stop(): void }

export function startCheckpointer(path: string, everyMs = 1000, onError: (msg: string) => void = () => {}): Checkpointer {
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(WORKER, { eval: true, workerData: { path, everyMs, driver } });
  worker.unref();
  worker.on('message', (m: { error?: string }) => { if (m.error) onError(m.error); });
  worker.on('error', (err) => onError(err.message));
  return {
    // The worker checkpoints once more, closes its connection and exits on its own.
    stop: () => worker.postMessage('stop'),
  };
}

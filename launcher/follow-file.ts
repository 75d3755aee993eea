import { closeSync, openSync, readSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';

export interface FileFollower {
  /** Reads what is left, hands on a last unfinished line, and closes the file. */
  stop(): void;
}

/** Hands on each line appended to a file, as `tail -f` does, from its start until stopped. */
export function followFile(path: string, onLine: (line: string) => void, intervalMs = 200): FileFollower {
  const fd = openSync(path, 'r');
  const buffer = Buffer.alloc(64 * 1024);
  const decoder = new StringDecoder('utf8');
  let position = 0;
  let partial = '';
  let stopped = false;
  const drain = (): void => {
    for (let read = readSync(fd, buffer, 0, buffer.length, position); read > 0; read = readSync(fd, buffer, 0, buffer.length, position)) {
      position += read;
      const lines = (partial + decoder.write(buffer.subarray(0, read))).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) onLine(line);
    }
  };
  const timer = setInterval(drain, intervalMs);
  timer.unref();
  return {
    stop() {
      if (stopped) return;
      stopped = true;
      clearInterval(timer);
      drain();
      const rest = partial + decoder.end();
      if (rest) onLine(rest);
      closeSync(fd);
    },
  };
}

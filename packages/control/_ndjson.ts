import type { SeqRing } from "./seq_ring.ts";

const encoder = new TextEncoder();

/** One JSON value per line, as the streaming calls send them. */
export function ndjsonLine(value: unknown): Uint8Array {
  return encoder.encode(`${JSON.stringify(value)}\n`);
}

/** How {@linkcode ringStream} turns ring entries into frames. */
export interface RingStreamOptions<T> {
  /** The frame of one entry. */
  frame: (seq: number, value: T) => unknown;
  /** The frame saying that entries `from`..`to` were lost to the ring's bound. */
  gap: (from: number, to: number) => unknown;
  /** Keep the stream open and send new entries as they come. */
  follow: boolean;
  /** Ends the stream (the server closing, a client gone). */
  signal: AbortSignal;
  /** Called once when the stream ends, however it ends. */
  onEnd: () => void;
}

/** Entries sent per pull: bounds the memory one slow reader can pin. */
const BATCH = 256;

/**
 * An NDJSON body reading `ring` from cursor `after`. It pulls: the server
 * asks for more only as the socket drains, so a slow client holds a cursor,
 * not a queue, and the producer never waits for it. Falling behind the
 * ring's bound shows as one gap frame.
 */
export function ringStream<T>(
  ring: SeqRing<T>,
  after: number,
  options: RingStreamOptions<T>,
): ReadableStream<Uint8Array> {
  let cursor = after;
  let ended = false;
  // Aborted when the client goes, so that a wait on a quiet ring ends with it.
  const gone = new AbortController();
  const signal = AbortSignal.any([options.signal, gone.signal]);
  const end = (): void => {
    if (ended) return;
    ended = true;
    gone.abort();
    options.onEnd();
  };
  return new ReadableStream<Uint8Array>({
    async pull(controller): Promise<void> {
      for (;;) {
        const { missed, entries } = ring.read(cursor, BATCH);
        if (missed > 0 || entries.length > 0) {
          let text = missed > 0
            ? JSON.stringify(options.gap(cursor + 1, cursor + missed)) + "\n"
            : "";
          for (const { seq, value } of entries) {
            text += JSON.stringify(options.frame(seq, value)) + "\n";
          }
          cursor = entries.length > 0 ? entries[entries.length - 1].seq : cursor + missed;
          controller.enqueue(encoder.encode(text));
          return;
        }
        if (!options.follow || ring.closed || signal.aborted) {
          end();
          controller.close();
          return;
        }
        await ring.changed(cursor, signal);
        if (ended) return; // cancelled while it waited: the stream is closed already
      }
    },
    cancel: end,
  }, { highWaterMark: 0 });
}

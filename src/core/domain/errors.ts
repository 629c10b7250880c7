/**
 * Errors with stable codes. Callers branch on `code`, people read `message`; the original error
 * travels in `cause`.
 */
export type ErrorCode =
  | 'E_CONFIG' // invalid configuration (names the file and field)
  | 'E_LABEL' // invalid prescale.* label on a service (names the label and value)
  | 'E_INPUT' // invalid input file or argument (names the file, line or flag)
  | 'E_SOURCE_UNREACHABLE' // the metrics source (Prometheus, …) did not answer (refused, timeout)
  | 'E_SOURCE_QUERY' // the source answered with an error (bad query, limits)
  | 'E_SOURCE_DATA' // the answer is unusable (several series, NaN/Inf, empty)
  | 'E_ENGINE_UNREACHABLE' // the engine (Docker, …) did not answer
  | 'E_ENGINE' // the engine answered with an error
  | 'E_NOT_FOUND' // a service or model does not exist
  | 'E_LOCKED' // another prescale instance holds the leader lock: this one does not act
  | 'E_RECOMMEND_ONLY' // this instance runs without --apply: it recommends and never changes the engine
  | 'E_FORECAST' // a forecast could not be made
  | 'E_MODEL' // a saved model could not be loaded or does not fit the data
  | 'E_STATE'; // the planner state could not be saved (names the path and the OS error)

export class PrescaleError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PrescaleError';
    this.code = code;
  }
}

/** Codes of a failing metrics source: the service's load is unknown. */
export function isSourceCode(code: string | undefined): boolean {
  return code === 'E_SOURCE_UNREACHABLE' || code === 'E_SOURCE_QUERY' || code === 'E_SOURCE_DATA';
}

/** Codes of a failing engine. */
export function isEngineCode(code: string | undefined): boolean {
  return code === 'E_ENGINE_UNREACHABLE' || code === 'E_ENGINE';
}

/** True when `err` is a PrescaleError, optionally with the given code. */
export function isPrescaleError(err: unknown, code?: ErrorCode): err is PrescaleError {
  return err instanceof PrescaleError && (code === undefined || err.code === code);
}

/**
 * A one-line description of any thrown value, with its causes. A cause whose message the text
 * so far already holds (a wrapper that quotes its cause: `${file}: ${err.message}`) is not
 * repeated; its own causes still are.
 */
export function describeError(err: unknown): string {
  let text = '';
  let cur: unknown = err;
  for (let depth = 0; cur !== undefined && cur !== null && depth < 4; depth++) {
    const message = cur instanceof Error ? cur.message : String(cur);
    if (!text) text = message;
    else if (message && !text.includes(message)) text += `: ${message}`;
    cur = cur instanceof Error ? cur.cause : undefined;
  }
  return text;
}

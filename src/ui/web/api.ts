import type {
  ControllerPoint,
  ExperimentDetail,
  ExperimentSummary,
  GraphView,
  ReportRow,
} from './api-types.js';
import { setLive } from './status.js';

/** An API call that failed: the status tells the page what to say (401: the token is missing or wrong). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/**
 * Adds the page's own `?token=` (the URL `naslab ui` printed) to an API path: a dashboard served beyond
 * loopback refuses every request without it, the event stream included (EventSource sends no headers).
 */
export function withToken(path: string, search: string): string {
  const token = new URLSearchParams(search).get('token');
  if (token === null || token === '') return path;
  const separator = path.includes('?') ? '&' : '?';
  return `${path}${separator}token=${encodeURIComponent(token)}`;
}

function apiUrl(path: string): string {
  return withToken(path, window.location.search);
}

async function getJson<T>(path: string): Promise<T> {
  const response = await fetch(apiUrl(path), { headers: { accept: 'application/json' } });
  if (!response.ok) {
    const hint =
      response.status === 401
        ? 'the dashboard needs its token: open the URL that naslab ui printed (it ends with ?token=...)'
        : `${response.status} ${response.statusText}`;
    throw new ApiError(response.status, `GET ${path}: ${hint}`);
  }
  return (await response.json()) as T;
}

const id = encodeURIComponent;

export const api = {
  experiments: () => getJson<ExperimentSummary[]>('/api/experiments'),
  experiment: (experimentId: string) => getJson<ExperimentDetail>(`/api/experiments/${id(experimentId)}`),
  reports: (experimentId: string, trialId: string) =>
    getJson<ReportRow[]>(`/api/experiments/${id(experimentId)}/trials/${id(trialId)}/reports`),
  controller: (experimentId: string) =>
    getJson<ControllerPoint[]>(`/api/experiments/${id(experimentId)}/controller`),
  graph: (experimentId: string, trialId: string) =>
    getJson<GraphView>(`/api/experiments/${id(experimentId)}/trials/${id(trialId)}/graph`),
};

export type LiveEvent = 'trials' | 'experiments';

/**
 * Subscribes to the server's events (one experiment's, or all); returns the unsubscribe function.
 * EventSource reconnects by itself after a dropped connection, so a restarted server is picked up.
 */
export function subscribe(
  experimentId: string | undefined,
  onEvent: (event: LiveEvent, data: unknown) => void,
): () => void {
  const path = experimentId === undefined ? '/api/events' : `/api/events?experiment=${id(experimentId)}`;
  const source = new EventSource(apiUrl(path));
  const listen = (event: LiveEvent) =>
    source.addEventListener(event, (message: MessageEvent<string>) => {
      let data: unknown = null;
      try {
        data = JSON.parse(message.data) as unknown;
      } catch {
        // A malformed payload still means "something changed": refetching is the safe response.
      }
      onEvent(event, data);
    });
  listen('trials');
  listen('experiments');
  source.addEventListener('open', () => setLive('live'));
  source.addEventListener('error', () => setLive('reconnecting…'));
  return () => {
    source.close();
    setLive('');
  };
}

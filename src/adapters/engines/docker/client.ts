import Docker from 'dockerode';
import { PrescaleError } from '../../../core/domain/errors.js';

/**
 * A dockerode client for the engine `DOCKER_HOST` names (unix:// or tcp://), as the docker CLI
 * does; dockerode's default (/var/run/docker.sock) otherwise.
 */
export function dockerFromEnv(env: NodeJS.ProcessEnv = process.env): Docker {
  const host = env.DOCKER_HOST;
  if (!host) return new Docker();
  if (host.startsWith('unix://')) return new Docker({ socketPath: host.slice('unix://'.length) });
  if (host.startsWith('tcp://') || host.startsWith('http://') || host.startsWith('https://')) {
    const u = new URL(host.replace(/^tcp:/, env.DOCKER_TLS_VERIFY ? 'https:' : 'http:'));
    return new Docker({
      host: u.hostname,
      port: Number(u.port || 2375),
      protocol: u.protocol === 'https:' ? 'https' : 'http',
    });
  }
  throw new PrescaleError('E_INPUT', `DOCKER_HOST=${host}: expected unix:// or tcp://`);
}

/** Where the client points, for error messages. */
export function describeEngine(docker: Docker): string {
  const o = (docker as unknown as { modem?: { socketPath?: string; host?: string; port?: number } }).modem ?? {};
  return o.socketPath ? `unix://${o.socketPath}` : o.host ? `tcp://${o.host}:${o.port ?? ''}` : 'the Docker engine';
}

/** Maps a dockerode error to a PrescaleError with a stable code. */
export function engineError(err: unknown, docker: Docker, what: string): PrescaleError {
  const e = err as { code?: string; statusCode?: number; json?: { message?: string }; message?: string };
  if (
    e?.code === 'ECONNREFUSED' ||
    e?.code === 'ENOENT' ||
    e?.code === 'EACCES' ||
    e?.code === 'ETIMEDOUT' ||
    e?.code === 'ECONNRESET'
  ) {
    return new PrescaleError(
      'E_ENGINE_UNREACHABLE',
      `${what}: Docker engine at ${describeEngine(docker)} is unreachable (${e.code})`,
      { cause: err },
    );
  }
  const msg = e?.json?.message ?? e?.message ?? String(err);
  if (e?.statusCode === 404) return new PrescaleError('E_NOT_FOUND', `${what}: ${msg}`, { cause: err });
  return new PrescaleError('E_ENGINE', `${what}: ${msg}`, { cause: err });
}

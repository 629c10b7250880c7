/**
 * A Node base image made on this machine, for building the project's Dockerfile where no
 * registry can be pulled from: a root filesystem holding the machine's `node`, npm, the shared
 * libraries `ldd` lists for node, busybox as `/bin/sh` and the tools a RUN step uses, the CA
 * bundle and npm's global config (the registry is reached through them), and the `node` user
 * (uid 1000) the official images have; then `docker import`ed.
 */
import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

function run(cmd: string, args: string[], input?: Buffer | string): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', input, maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr || r.error}`);
  return r.stdout;
}

/** Copies the file at `path` (symlinks followed) to the same path under `root`. */
function copyIn(root: string, path: string): void {
  mkdirSync(join(root, dirname(path)), { recursive: true });
  copyFileSync(realpathSync(path), join(root, path));
}

/** The CA bundle node and npm trust here (NODE_EXTRA_CA_CERTS, else Debian's). */
function caBundle(): string | undefined {
  return [process.env.NODE_EXTRA_CA_CERTS, '/etc/ssl/certs/ca-certificates.crt'].find((p) => p && existsSync(p));
}

/** Makes the base image `tag` on the engine at `host` (DOCKER_HOST form). */
export function makeNodeBaseImage(host: string, tag: string): void {
  const root = mkdtempSync(join(tmpdir(), 'prescale-node-base-'));
  try {
    const node = realpathSync(process.execPath);
    mkdirSync(join(root, 'usr/bin'), { recursive: true });
    copyFileSync(node, join(root, 'usr/bin/node'));
    for (const lib of run('ldd', [node]).match(/\/\S+/g) ?? []) copyIn(root, lib);
    // npm: the package the `npm` on PATH runs, and its global config (cafile, proxy) if any
    const npmCli = realpathSync(run('sh', ['-c', 'command -v npm']).trim());
    const npmDir = dirname(dirname(npmCli));
    cpSync(npmDir, join(root, 'usr/lib/node_modules/npm'), { recursive: true });
    symlinkSync('../lib/node_modules/npm/bin/npm-cli.js', join(root, 'usr/bin/npm'));
    symlinkSync('../lib/node_modules/npm/bin/npx-cli.js', join(root, 'usr/bin/npx'));
    const globalConfig = run('npm', ['config', 'get', 'globalconfig']).trim();
    if (existsSync(globalConfig)) copyIn(root, globalConfig);
    const ca = caBundle();
    if (ca) copyIn(root, ca);
    // busybox: /bin/sh and the applets a RUN step calls (mkdir, find, mv, ln, chown, env)
    copyIn(root, '/bin/busybox');
    for (const applet of run('/bin/busybox', ['--list']).split('\n').filter(Boolean))
      if (!existsSync(join(root, 'bin', applet))) symlinkSync('busybox', join(root, 'bin', applet));
    symlinkSync('../../bin/busybox', join(root, 'usr/bin/env'));
    for (const d of ['usr/local/bin', 'root', 'home/node', 'etc']) mkdirSync(join(root, d), { recursive: true });
    mkdirSync(join(root, 'tmp'), { mode: 0o1777 });
    writeFileSync(join(root, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\nnode:x:1000:1000::/home/node:/bin/sh\n');
    writeFileSync(join(root, 'etc/group'), 'root:x:0:\nnode:x:1000:\n');
    const tar = spawnSync('tar', ['-C', root, '-c', '.'], { maxBuffer: 1 << 30 });
    if (tar.status !== 0) throw new Error(`tar: ${tar.stderr}`);
    const changes = ['ENV PATH=/usr/local/bin:/usr/bin:/bin', ...(ca ? [`ENV NODE_EXTRA_CA_CERTS=${ca}`] : [])];
    const r = spawnSync('docker', ['import', ...changes.flatMap((c) => ['-c', c]), '-', tag], {
      input: tar.stdout,
      env: { ...process.env, DOCKER_HOST: host },
      encoding: 'utf8',
    });
    if (r.status !== 0) throw new Error(`docker import: ${r.stderr}`);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

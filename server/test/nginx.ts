/** A private nginx for the TLS proxy tests (issue 13): test CA, wildcard certificate, config, process. */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const NAME = 'hopdeck.localhost';

/** A test CA and a certificate for NAME and *.NAME signed by it. */
export function makeCertificates(dir: string): { ca: string; cert: string; key: string } {
  const p = (f: string) => join(dir, f);
  const ssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'pipe' });
  ssl(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '2',
    '-subj',
    '/CN=Hopdeck test CA',
    '-keyout',
    p('ca.key'),
    '-out',
    p('ca.pem'),
  );
  ssl(
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-subj',
    `/CN=${NAME}`,
    '-keyout',
    p('tls.key'),
    '-out',
    p('tls.csr'),
  );
  writeFileSync(p('san.ext'), `subjectAltName=DNS:${NAME},DNS:*.${NAME}\n`);
  ssl(
    'x509',
    '-req',
    '-in',
    p('tls.csr'),
    '-CA',
    p('ca.pem'),
    '-CAkey',
    p('ca.key'),
    '-CAcreateserial',
    '-days',
    '2',
    '-extfile',
    p('san.ext'),
    '-out',
    p('tls.pem'),
  );
  return { ca: p('ca.pem'), cert: p('tls.pem'), key: p('tls.key') };
}

/** The configuration documented in docs/deploy-behind-tls-proxy.md, with test paths and ports. */
export function nginxConf(dir: string, port: number, enginePort: number, cert: string, key: string): string {
  const temp = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']
    .map((t) => `  ${t}_temp_path ${join(dir, 'tmp', t)};`)
    .join('\n');
  return `daemon off;
master_process on;
worker_processes 1;
pid ${join(dir, 'nginx.pid')};
error_log ${join(dir, 'error.log')} warn;
events { worker_connections 256; }
http {
  access_log off;
${temp}
  map $http_upgrade $connection_upgrade { default upgrade; '' close; }
  server {
    listen 127.0.0.1:${port} ssl;
    server_name ${NAME} *.${NAME};
    ssl_certificate ${cert};
    ssl_certificate_key ${key};
    client_max_body_size 64m;
    location / {
      proxy_pass http://127.0.0.1:${enginePort};
      proxy_http_version 1.1;
      proxy_set_header Host $http_host;
      proxy_set_header Upgrade $http_upgrade;
      proxy_set_header Connection $connection_upgrade;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto $scheme;
      proxy_buffering off;
      proxy_request_buffering off;
      proxy_read_timeout 1h;
      proxy_send_timeout 1h;
    }
  }
}
`;
}

/** nginx with `dir/nginx.conf`, its own prefix and logs (not the system service). */
export function startNginx(dir: string): ChildProcess {
  return spawn('nginx', ['-p', dir, '-c', join(dir, 'nginx.conf'), '-e', join(dir, 'error.log')], {
    stdio: 'ignore',
    env: { ...process.env, PATH: `${process.env.PATH ?? ''}:/usr/sbin` },
  });
}

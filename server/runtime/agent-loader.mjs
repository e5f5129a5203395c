// The agent's entry point (copied to dist/agent/agent.mjs by server/build.mjs; inside a sandbox
// /opt/hopdeck/agent.mjs). It runs the agent bundle (agent.cjs) with V8's code cache for it
// (agent.cache, made by the build with this Node), so a boot does not compile ~1 MB of JavaScript
// again: about 25-70 ms less CPU per boot (decision 0003). A cache made for another bundle, or one
// V8 rejects (another Node build), only costs that compile again, and says so once in agent.log.
// HOPDECK_AGENT_MAKE_CACHE=1 (the build only): run the agent, and once its socket exists write the
// cache, which then also holds the functions the start-up compiled, and exit.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Script } from 'node:vm';

const dir = dirname(fileURLToPath(import.meta.url));
const file = join(dir, 'agent.cjs');
const cacheFile = join(dir, 'agent.cache');
const make = process.env.HOPDECK_AGENT_MAKE_CACHE === '1';

/** The bundle compiled, with its cache when it has one (a function: the cache's buffer is freed after). */
function compile() {
  // The CommonJS wrapper, plus the bundle's stand-in for import.meta.url.
  const source = `(function (exports, require, module, __filename, __dirname, __agentUrl) {${readFileSync(file, 'utf8')}\n})`;
  // V8 checks a cache against the source's length only: the cache starts with the source's hash,
  // so one made for another bundle of the same length is never used.
  const key = Buffer.from(createHash('sha256').update(source).digest('hex'));
  let cachedData;
  if (!make && existsSync(cacheFile)) {
    const data = readFileSync(cacheFile);
    if (data.subarray(0, key.length).equals(key)) cachedData = data.subarray(key.length);
  }
  const script = new Script(source, { filename: file, cachedData });
  if (!make && !cachedData) process.stderr.write('agent: no code cache for this bundle; compiled instead\n');
  else if (cachedData && script.cachedDataRejected)
    process.stderr.write('agent: code cache rejected (another Node build?); compiled instead\n');
  return { script, key };
}

const { script, key } = compile();
const module = { exports: {} };
script.runInThisContext()(module.exports, createRequire(file), module, file, dir, pathToFileURL(file).href);

if (make) {
  const socket = process.argv[process.argv.indexOf('--socket') + 1];
  const until = Date.now() + 20_000;
  const timer = setInterval(() => {
    if (!existsSync(socket) && Date.now() < until) return;
    clearInterval(timer);
    if (existsSync(socket)) {
      // Readers never see half a cache, and two builds at once never write the same file.
      const tmp = `${cacheFile}.${process.pid}.tmp`;
      writeFileSync(tmp, Buffer.concat([key, script.createCachedData()]));
      renameSync(tmp, cacheFile);
    }
    process.exit(existsSync(socket) ? 0 : 1);
  }, 20);
}

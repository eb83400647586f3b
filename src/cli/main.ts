import * as nodeModule from 'node:module';
import { runCli } from './cli';

// V8's compile cache (Node 22.1+, e.g. VS Code's own runtime behind the launcher) lets the next
// start skip compiling this bundle; on older nodes the function does not exist.
(nodeModule as { enableCompileCache?: () => unknown }).enableCompileCache?.();

const argv = process.argv.slice(2);
runCli(argv).then(
  (code) => {
    process.exitCode = code;
    // An agent hook must never keep the agent waiting on a leftover handle (stdin, a timer).
    if (argv[0] === 'agent-hook') process.exit(code);
  },
  (error: unknown) => {
    process.stderr.write(`vouch: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = argv[0] === 'agent-hook' ? 0 : 2;
  },
);

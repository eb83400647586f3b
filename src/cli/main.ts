/** Entry of dist/vouch-cli.js, every `vouch` command (dist/cli.js loads it). */
import { runCli } from './cli';
import { runMain } from './processIo';

// An agent hook must never keep the agent waiting on a leftover handle (stdin, a timer); it
// reports its own problems and always exits 0.
runMain(runCli, { exitWhenDone: (argv) => argv[0] === 'agent-hook' });

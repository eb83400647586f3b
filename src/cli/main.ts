/** Entry of dist/vouch-cli.js, every `vouch` command (dist/cli.js loads it). */
import { runCli } from './cli';
import { runMain } from './processIo';
import { errorMessage } from '../core/errorMessage';

const isAgentHook = (argv: readonly string[]) => argv[0] === 'agent-hook';

// An agent hook never fails the agent's tool call and never keeps it waiting on a leftover
// handle (stdin, a timer): it exits 0 as soon as it is done, even after an unexpected error.
runMain(
  async (argv) => {
    try {
      return await runCli(argv);
    } catch (error) {
      if (!isAgentHook(argv)) throw error;
      process.stderr.write(`vouch agent-hook: ${errorMessage(error)}\n`);
      return 0;
    }
  },
  { exitWhenDone: isAgentHook },
);

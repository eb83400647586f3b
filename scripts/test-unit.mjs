// Unit tests: plain mocha in node over test/unit (core and git; git tests use real git in temp repos).
import { runMocha } from './mocha-runner.mjs';

process.exitCode = await runMocha('unit', ['test/unit/**/*.test.ts']);

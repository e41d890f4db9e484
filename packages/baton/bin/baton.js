#!/usr/bin/env node
// The `baton` command. A file of its own (not dist/cli/bin.js) so that package managers can link
// it before the package is built, as in a fresh clone of the workspace.
import '../dist/cli/bin.js';

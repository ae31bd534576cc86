#!/usr/bin/env node
// The linter CLI; the code is the bundled language service (npm run build makes dist/lint.js).
require('../dist/lint.js');

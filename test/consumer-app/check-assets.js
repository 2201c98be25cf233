// After `cdk synth`: every Lambda asset the consumer's template names is in cdk.out with its code.
const fs = require('fs');
const path = require('path');
const manifest = JSON.parse(fs.readFileSync('cdk.out/ConsumerClusterAccount.assets.json', 'utf8'));
const dirs = Object.values(manifest.files ?? {}).map((f) => f.source).filter((s) => s.packaging === 'zip').map((s) => s.path);
const missing = dirs.filter((dir) => !fs.existsSync(path.join('cdk.out', dir, 'index.js')) && !fs.existsSync(path.join('cdk.out', dir, 'index.mjs')));
if (dirs.length < 3) throw new Error(`expected at least 3 Lambda assets (reconciler, pin, AwsCustomResource), found ${dirs.length}`);
if (missing.length > 0) throw new Error(`assets without handler code: ${missing.join(', ')}`);
console.log(`consumer app: ${dirs.length} Lambda assets synthesized with their code`);

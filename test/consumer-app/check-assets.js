// After `cdk synth`: every Lambda asset the consumer's template names is in cdk.out with code in it,
// and each handler this library ships (node_modules/<package>/assets/**/index.js) is one of them.
const fs = require('fs');
const path = require('path');

const manifest = JSON.parse(fs.readFileSync('cdk.out/ConsumerClusterAccount.assets.json', 'utf8'));
const dirs = Object.values(manifest.files ?? {}).map((f) => f.source).filter((s) => s.packaging === 'zip').map((s) => path.join('cdk.out', s.path));
const code = (dir) => (fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => /\.(c|m)?js$/.test(f)) : []);
const empty = dirs.filter((dir) => code(dir).length === 0);
if (empty.length > 0) throw new Error(`assets without handler code: ${empty.join(', ')}`);

const packageAssets = path.join(path.dirname(require.resolve('cdk-eks-cross-account-observability/package.json')), 'assets');
const shipped = fs.readdirSync(packageAssets, { recursive: true }).filter((f) => f.endsWith('index.js')).map((f) => path.join(packageAssets, f));
const synthesized = new Set(dirs.filter((dir) => code(dir).includes('index.js')).map((dir) => fs.readFileSync(path.join(dir, 'index.js'), 'utf8')));
// The fleet's handler is inline code in the StackSet's member template (TemplateBody), not an asset.
const management = JSON.parse(fs.readFileSync('cdk.out/ConsumerManagementAccount.template.json', 'utf8'));
for (const stackSet of Object.values(management.Resources).filter((r) => r.Type === 'AWS::CloudFormation::StackSet')) {
  const member = JSON.parse(stackSet.Properties.TemplateBody);
  for (const fn of Object.values(member.Resources).filter((r) => r.Type === 'AWS::Lambda::Function')) {
    // The readable bundle, or (where only that keeps the template inline) brotli and base64 behind a
    // one-line loader: either way the bundle is what runs.
    const base64 = /brotliDecompressSync\(Buffer\.from\("([A-Za-z0-9+/=]+)","base64"\)/.exec(fn.Properties.Code.ZipFile);
    synthesized.add(base64 ? require('zlib').brotliDecompressSync(Buffer.from(base64[1], 'base64')).toString('utf8') : fn.Properties.Code.ZipFile);
  }
}
const missing = shipped.filter((file) => !synthesized.has(fs.readFileSync(file, 'utf8')));
if (shipped.length < 3) throw new Error(`expected this library's handlers in ${packageAssets}, found ${shipped.length}`);
if (missing.length > 0) throw new Error(`handlers not synthesized into the consumer's cdk.out: ${missing.join(', ')}`);
console.log(`consumer app: ${dirs.length} Lambda assets with their code, including all ${shipped.length} handlers this library ships`);

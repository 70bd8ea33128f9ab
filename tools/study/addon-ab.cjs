// Structure throughput of two builds of the addon, in one process, interleaved (CPU time of the native call):
//   node tools/study/addon-ab.cjs OLD.node NEW.node [--languages python] [--rounds 10]
// Responses: every record of ../shared/data (mbpp, humaneval, evol-instruct). Prints each build's CPU seconds
// per round and NEW's throughput relative to OLD (median and best round). Used for issue #28's "Python
// structure throughput stays at least 0.95x" check (docs/benchmarks.md).
const fs = require('node:fs');
const path = require('node:path');

const args = process.argv.slice(2);
const flag = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 ? args.splice(i, 2)[1] : dflt;
};
const languages = flag('--languages', 'python').split(',');
const rounds = Number(flag('--rounds', '10'));
if (args.length !== 2) {
  console.error('usage: node tools/study/addon-ab.cjs OLD.node NEW.node [--languages python] [--rounds 10]');
  process.exit(2);
}
const builds = { old: require(path.resolve(args[0])), new: require(path.resolve(args[1])) };
const data = path.join(__dirname, '../../../shared/data');
const responses = [];
for (const f of ['mbpp-markdown.jsonl', 'humaneval-markdown.jsonl', 'evol-instruct-code-r1.jsonl'])
  for (const line of fs.readFileSync(path.join(data, f), 'utf8').split('\n'))
    if (line) responses.push(JSON.parse(line).response ?? '');
const opts = {
  granularity: 0,
  blockMaxCodePoints: 4000,
  blockMaxLines: 80,
  workBudget: 20e6,
  wallTimeoutMs: 600_000,
  maxItems: 100_000,
  languages,
};
const cpu = { old: [], new: [] };
for (let r = 0; r < rounds; r++)
  for (const k of r % 2 ? ['new', 'old'] : ['old', 'new']) {
    const c0 = process.cpuUsage();
    builds[k].analyzeStructure(responses, opts);
    const d = process.cpuUsage(c0);
    cpu[k].push((d.user + d.system) / 1e6);
  }
const median = (a) => a.slice().sort((x, y) => x - y)[a.length >> 1];
const fmt = (a) => a.map((x) => x.toFixed(3)).join(' ');
console.log(`${responses.length} responses, --languages ${languages.join(',')}, ${rounds} rounds`);
console.log(`old CPU s: ${fmt(cpu.old)}\nnew CPU s: ${fmt(cpu.new)}`);
console.log(
  `new throughput / old: median ${(median(cpu.old) / median(cpu.new)).toFixed(3)}, ` +
    `best ${(Math.min(...cpu.old) / Math.min(...cpu.new)).toFixed(3)}`,
);

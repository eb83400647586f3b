import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { scanCode } from '../../../src/core/review/codeScanner';
import { findRiskHints, splitIdentifier, type RiskCategory } from '../../../src/core/review/riskHints';

interface Sample {
  readonly path: string;
  readonly code: string;
  /** The category expected at its line, or nothing expected in the category. */
  readonly category: RiskCategory;
  readonly line?: number;
  readonly textBefore?: string;
}

/** Built at run time so no real-looking key sits in the repository for secret scanners to trip on. */
const awsKey = ['AKIA', 'IOSFODNN7', 'EXAMPLX'].join('');
const githubToken = 'ghp_' + 'a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8';
const privateKeyHeader = ['-----BEGIN', 'RSA PRIVATE KEY-----'].join(' ');
const jwt = ['eyJhbGciOiJIUzI1NiJ9', 'eyJzdWIiOiIxMjM0NTY3ODkwIn0', 'dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U'].join('.');

const MUST_TRIGGER: readonly Sample[] = [
  // Secrets
  { path: 'a.ts', code: `const x = 1;\nconst key = '${awsKey}';`, category: 'secret', line: 2 },
  { path: 'a.py', code: `# deploy token\nGH = "${githubToken}"`, category: 'secret', line: 2 },
  { path: 'id_rsa.txt', code: `${privateKeyHeader}\nMIIEow...`, category: 'secret', line: 1 },
  { path: 'a.ts', code: `headers.Authorization = 'Bearer ${jwt}';`, category: 'secret', line: 1 },
  { path: 'a.ts', code: `const config = {\n  apiKey: "q8Z2vLx9Wm4Rt7Yp3Kd6",\n};`, category: 'secret', line: 2 },
  { path: 'settings.py', code: `DB_PASSWORD = 'tR7#kq9!Lm2x'`, category: 'secret', line: 1 },
  { path: 'main.go', code: `package main\n\nvar clientSecret = "9f8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c"`, category: 'secret', line: 3 },
  { path: 'App.java', code: `String jwtSecret = "Zx8Qw2Er4Ty6Ui8Op0As";`, category: 'secret', line: 1 },
  { path: 'deploy.sh', code: `#!/bin/sh\nexport API_TOKEN=aB3dE5fG7hJ9kL1mN3pQ\n`, category: 'secret', line: 2 },
  { path: 'db.ts', code: `const url = 'postgres://admin:Sup3rS3cret@db.internal:5432/app';`, category: 'secret', line: 1 },
  // Network
  { path: 'a.ts', code: `async function load() {\n  const res = await fetch(url);\n}`, category: 'network', line: 2 },
  { path: 'a.ts', code: `import axios from 'axios';\nawait axios.get(u);`, category: 'network', line: 1 },
  { path: 'a.js', code: `const https = require('node:https');`, category: 'network', line: 1 },
  { path: 'a.ts', code: `const ws = new WebSocket(url);`, category: 'network', line: 1 },
  { path: 'a.py', code: `def get():\n    return requests.get(URL, timeout=5)`, category: 'network', line: 2 },
  { path: 'a.py', code: `from urllib.request import urlopen`, category: 'network', line: 1 },
  { path: 'main.go', code: `resp, err := http.Get(url)`, category: 'network', line: 1 },
  { path: 'main.go', code: `import (\n\t"fmt"\n\t"net/http"\n)`, category: 'network', line: 3 },
  { path: 'A.java', code: `HttpClient client = HttpClient.newHttpClient();`, category: 'network', line: 1 },
  { path: 'A.java', code: `URLConnection c = new URL(u).openConnection();`, category: 'network', line: 1 },
  { path: 'main.rs', code: `let body = reqwest::get(url).await?;`, category: 'network', line: 1 },
  { path: 'main.rs', code: `let s = TcpStream::connect("127.0.0.1:80")?;`, category: 'network', line: 1 },
  { path: 'x.sh', code: `set -e\ncurl -fsSL https://example.com/x -o x`, category: 'network', line: 2 },
  { path: 'x.sh', code: `if true; then wget https://example.com; fi`, category: 'network', line: 1 },
  // Process execution
  { path: 'a.ts', code: `import { execSync } from 'child_process';\nexecSync('ls');`, category: 'process', line: 1 },
  { path: 'a.ts', code: `const out = execSync(cmd);`, category: 'process', line: 1 },
  { path: 'a.js', code: `cp.spawn('git', args);`, category: 'process', line: 1 },
  { path: 'a.py', code: `import os\nos.system(cmd)`, category: 'process', line: 2 },
  { path: 'a.py', code: `out = subprocess.run(["ls"], check=True)`, category: 'process', line: 1 },
  { path: 'main.go', code: `cmd := exec.Command("ls", "-la")`, category: 'process', line: 1 },
  { path: 'A.java', code: `Process p = Runtime.getRuntime().exec(cmd);`, category: 'process', line: 1 },
  { path: 'A.java', code: `new ProcessBuilder("ls").start();`, category: 'process', line: 1 },
  { path: 'main.rs', code: `let out = Command::new("ls").output()?;`, category: 'process', line: 1 },
  { path: 'x.sh', code: `sudo systemctl restart app`, category: 'process', line: 1 },
  { path: 'main.rs', code: `fn f<'a>(x: &'a str) {\n    Command::new(x);\n}`, category: 'process', line: 2 },
  { path: 'a.py', code: `"""Run it.\n\nCalls no shell."""\nos.system(cmd)`, category: 'process', line: 4 },
  // File deletion
  { path: 'a.ts', code: `await fs.promises.rm(dir, { recursive: true });`, category: 'file-deletion', line: 1 },
  { path: 'a.ts', code: `fs.unlinkSync(file);`, category: 'file-deletion', line: 1 },
  { path: 'a.py', code: `shutil.rmtree(path)`, category: 'file-deletion', line: 1 },
  { path: 'a.py', code: `Path(p).unlink(missing_ok=True)`, category: 'file-deletion', line: 1 },
  { path: 'main.go', code: `_ = os.RemoveAll(dir)`, category: 'file-deletion', line: 1 },
  { path: 'A.java', code: `Files.deleteIfExists(path);`, category: 'file-deletion', line: 1 },
  { path: 'A.java', code: `tmpFile.delete();`, category: 'file-deletion', line: 1 },
  { path: 'main.rs', code: `std::fs::remove_dir_all(&dir)?;`, category: 'file-deletion', line: 1 },
  { path: 'x.sh', code: `cd /tmp && rm -rf "$DIR"`, category: 'file-deletion', line: 1 },
  { path: 'x.sh', code: `find . -name '*.o' -delete`, category: 'file-deletion', line: 1 },
  // Dynamic code evaluation
  { path: 'a.js', code: `const r = eval(expr);`, category: 'dynamic-eval', line: 1 },
  { path: 'a.ts', code: `const f = new Function('a', body);`, category: 'dynamic-eval', line: 1 },
  { path: 'a.ts', code: `setTimeout("tick()", 10);`, category: 'dynamic-eval', line: 1 },
  { path: 'a.py', code: `exec(source, env)`, category: 'dynamic-eval', line: 1 },
  { path: 'a.py', code: `obj = pickle.loads(data)`, category: 'dynamic-eval', line: 1 },
  { path: 'A.java', code: `ScriptEngine e = new ScriptEngineManager().getEngineByName("js");`, category: 'dynamic-eval', line: 1 },
  { path: 'x.sh', code: `eval "$CMD"`, category: 'dynamic-eval', line: 1 },
  { path: 'x.sh', code: `curl -fsSL https://get.example.com | sh`, category: 'dynamic-eval', line: 1 },
  // SQL from strings
  { path: 'a.ts', code: 'const q = `SELECT * FROM users WHERE id = ${id}`;', category: 'sql-from-strings', line: 1 },
  { path: 'a.js', code: `db.query("DELETE FROM orders WHERE id = " + id);`, category: 'sql-from-strings', line: 1 },
  { path: 'a.py', code: `cur.execute(f"SELECT name FROM users WHERE id = {uid}")`, category: 'sql-from-strings', line: 1 },
  { path: 'a.py', code: `cur.execute("UPDATE users SET name = '%s'" % name)`, category: 'sql-from-strings', line: 1 },
  { path: 'a.py', code: `q = "select * from t where a = {}".format(a)`, category: 'sql-from-strings', line: 1 },
  { path: 'main.go', code: `q := fmt.Sprintf("SELECT id FROM users WHERE name = '%s'", name)`, category: 'sql-from-strings', line: 1 },
  { path: 'A.java', code: `String sql = "SELECT * FROM t WHERE id = " + id;`, category: 'sql-from-strings', line: 1 },
  { path: 'main.rs', code: `let q = format!("DELETE FROM t WHERE id = {}", id);`, category: 'sql-from-strings', line: 1 },
  // Dependencies
  { path: 'package.json', code: `    "left-pad": "^1.3.0",`, category: 'dependency', line: 1, textBefore: '{\n  "name": "x",\n  "dependencies": {\n' },
  { path: 'package.json', code: `    "postinstall": "node setup.js",`, category: 'dependency', line: 1, textBefore: '{\n  "scripts": {\n' },
  { path: 'requirements.txt', code: `\nrequests==2.32.0\n`, category: 'dependency', line: 2 },
  { path: 'go.mod', code: `require github.com/foo/bar v1.2.3`, category: 'dependency', line: 1 },
  { path: 'Cargo.toml', code: `serde = { version = "1", features = ["derive"] }`, category: 'dependency', line: 1, textBefore: '[package]\nname = "x"\n\n[dependencies]\n' },
  { path: 'Cargo.toml', code: `[dependencies]\ntokio = "1"`, category: 'dependency', line: 2 },
  { path: 'pyproject.toml', code: `    "httpx>=0.27",`, category: 'dependency', line: 1, textBefore: '[project]\nname = "x"\ndependencies = [\n' },
  { path: 'pom.xml', code: `<dependency>\n  <groupId>g</groupId>`, category: 'dependency', line: 1 },
  { path: 'build.gradle', code: `implementation 'com.squareup.okhttp3:okhttp:4.12.0'`, category: 'dependency', line: 1 },
  { path: 'yarn.lock', code: `left-pad@^1.3.0:\n  version "1.3.0"`, category: 'dependency', line: 1 },
  // Auth and crypto
  { path: 'a.ts', code: `import * as crypto from 'node:crypto';`, category: 'auth-crypto', line: 1 },
  { path: 'a.ts', code: `const h = crypto.createHash('sha256');`, category: 'auth-crypto', line: 1 },
  { path: 'a.ts', code: `\nfunction verifyPassword(user, input) {}`, category: 'auth-crypto', line: 2 },
  { path: 'a.py', code: `import hashlib`, category: 'auth-crypto', line: 1 },
  { path: 'main.go', code: `import "golang.org/x/crypto/bcrypt"`, category: 'auth-crypto', line: 1 },
  { path: 'A.java', code: `Cipher c = Cipher.getInstance("AES/GCM/NoPadding");`, category: 'auth-crypto', line: 1 },
  { path: 'main.rs', code: `use sha2::{Digest, Sha256};`, category: 'auth-crypto', line: 1 },
  { path: 'x.sh', code: `openssl rand -hex 32`, category: 'auth-crypto', line: 1 },
];

const MUST_NOT_TRIGGER: readonly Sample[] = [
  // "token" about lexers, token counts, and placeholders are not secrets.
  { path: 'lexer.ts', code: `// read the next token from the lexer\nconst tokenType = "identifier";`, category: 'secret' },
  { path: 'a.ts', code: `const MAX_TOKENS = 4096;\nconst tokens = lexer.tokenize(src);`, category: 'secret' },
  { path: 'a.ts', code: `const apiKey = process.env.API_KEY;`, category: 'secret' },
  { path: 'a.py', code: `password = os.environ["DB_PASSWORD"]`, category: 'secret' },
  { path: 'a.ts', code: `const password = "changeme123";\nconst token = "<your-token-here>";`, category: 'secret' },
  { path: 'a.ts', code: `const secretName = 'database-password';`, category: 'secret' },
  { path: 'a.ts', code: `const passwordField = getElement('password-input');`, category: 'secret' },
  { path: 'x.sh', code: `export TOKEN=$(cat /run/secrets/token)`, category: 'secret' },
  { path: 'README.md', code: 'Connect with `postgres://user:${PASSWORD}@host/db`.', category: 'secret' },
  // Names that contain network words, and "fetch" in comments and strings.
  { path: 'a.ts', code: `const fetchData = useFetchData();\nfetchData.refresh();`, category: 'network' },
  { path: 'a.ts', code: `// fetch(url) was removed\nconst label = "fetch(url)";`, category: 'network' },
  { path: 'a.ts', code: `const value = cache.fetch(key);\nprefetch(route);`, category: 'network' },
  { path: 'a.py', code: `# requests.get(url) is slow\nrequest_count = 3`, category: 'network' },
  { path: 'main.go', code: `// call http.Get(url) later\nvar httpGetter Getter`, category: 'network' },
  { path: 'x.sh', code: `echo "use curl to download"\n# curl https://example.com`, category: 'network' },
  // Regular expressions and methods that are not process execution.
  { path: 'a.ts', code: `const m = /a+/.exec(text);\nconst n = re.exec(line);`, category: 'process' },
  { path: 'a.ts', code: `// execSync is not used here\nconst spawnPoint = { x: 1 };`, category: 'process' },
  { path: 'a.py', code: `cursor.execute("SELECT 1")\nmodel.run(data)`, category: 'process' },
  { path: 'a.py', code: `def f():\n    """Unlike os.system(cmd), this\n    never calls subprocess.run()."""`, category: 'process' },
  { path: 'a.ts', code: `const s = 'it\\'s exec(x)';\nconst r = /exec\\(/g;`, category: 'process' },
  // DELETE in prose, delete on maps, and removals that are not files.
  { path: 'a.ts', code: `// DELETE the old entries before saving\nmap.delete(key);\ndelete obj.prop;`, category: 'file-deletion' },
  { path: 'a.ts', code: `list.remove(item);\nconst rmCount = 2;`, category: 'file-deletion' },
  { path: 'a.py', code: `items.remove(x)\ndel cache[key]`, category: 'file-deletion' },
  { path: 'x.sh', code: `echo "rm -rf is dangerous"\nformat_disk=0`, category: 'file-deletion' },
  // evaluate() and friends are not eval.
  { path: 'a.ts', code: `const score = evaluate(model);\nawait page.$eval('#id', (el) => el.textContent);\nobj.eval(x);`, category: 'dynamic-eval' },
  { path: 'a.py', code: `model.eval()\nresult = evaluate(x)\nscheduler.exec_job(j)`, category: 'dynamic-eval' },
  { path: 'a.ts', code: `setTimeout(() => tick(), 10);\nconst FunctionName = 'x';`, category: 'dynamic-eval' },
  { path: 'x.sh', code: `echo "eval is evil"\nevaluate_results`, category: 'dynamic-eval' },
  // SQL words in prose and in constant (parameterised) queries.
  { path: 'a.ts', code: `// DELETE FROM users WHERE id = ? is run by the job\nconst msg = "Please select a file from the list";`, category: 'sql-from-strings' },
  { path: 'a.ts', code: `db.query("SELECT * FROM users WHERE id = ?", [id]);`, category: 'sql-from-strings' },
  { path: 'a.py', code: `cur.execute("DELETE FROM t WHERE id = %s", (id,))`, category: 'sql-from-strings' },
  { path: 'a.ts', code: `const help = "Delete from the menu, then " + action;`, category: 'sql-from-strings' },
  // Manifests changed outside dependencies; code files that mention manifests.
  { path: 'package.json', code: `  "description": "A tool",\n  "version": "1.2.0",`, category: 'dependency', textBefore: '{\n  "name": "x",\n' },
  { path: 'package.json', code: `    "build": "tsc -p .",`, category: 'dependency', textBefore: '{\n  "scripts": {\n' },
  { path: 'Cargo.toml', code: `version = "0.2.0"\nedition = "2021"`, category: 'dependency', textBefore: '[package]\nname = "x"\n' },
  { path: 'requirements.txt', code: `# pinned for CI\n`, category: 'dependency' },
  { path: 'src/package.ts', code: `const pkg = require('./package.json');`, category: 'dependency' },
  // Auth words in comments, and tokens of a lexer.
  { path: 'a.ts', code: `// TODO: authentication comes later\nconst tokenizer = new Tokenizer();`, category: 'auth-crypto' },
  { path: 'a.py', code: `# hashing is done elsewhere\nauthor = "me"`, category: 'auth-crypto' },
];

describe('findRiskHints', () => {
  for (const sample of MUST_TRIGGER) {
    it(`finds ${sample.category} in ${sample.path}: ${JSON.stringify(sample.code.slice(0, 60))}`, () => {
      const hints = findRiskHints(sample.code, sample.path, { textBefore: sample.textBefore });
      const hint = hints.find((h) => h.category === sample.category);
      assert.ok(hint, `expected a ${sample.category} hint, got ${JSON.stringify(hints)}`);
      assert.equal(hint.line, sample.line);
      assert.ok(hint.message.length > 0 && hint.message.length <= 120, hint.message);
    });
  }

  for (const sample of MUST_NOT_TRIGGER) {
    it(`does not report ${sample.category} in ${sample.path}: ${JSON.stringify(sample.code.slice(0, 60))}`, () => {
      const hints = findRiskHints(sample.code, sample.path, { textBefore: sample.textBefore });
      assert.deepEqual(
        hints.filter((h) => h.category === sample.category),
        [],
      );
    });
  }

  it('reports each category once, at its first evidence, sorted by line', () => {
    const code = ['const a = 1;', 'await fetch(a);', 'execSync("ls");', 'await fetch(b);'].join('\n');
    const hints = findRiskHints(code, 'x.ts');
    assert.deepEqual(
      hints.map((h) => [h.category, h.line]),
      [
        ['network', 2],
        ['process', 3],
      ],
    );
    assert.equal(hints[0].message, 'Network access: fetch()');
  });

  it('finds nothing in plain, harmless code', () => {
    assert.deepEqual(findRiskHints('export function add(a: number, b: number) {\n  return a + b;\n}\n', 'math.ts'), []);
    assert.deepEqual(findRiskHints('', 'empty.py'), []);
  });

  it('looks at code after a multi-line comment or string ends, not inside it', () => {
    const code = '/*\n fetch(url)\n*/\nconst s = `\nexecSync(x)\n`;\nfs.rmSync(d);';
    assert.deepEqual(
      findRiskHints(code, 'a.ts').map((h) => [h.category, h.line]),
      [['file-deletion', 7]],
    );
  });

  it('looks inside template interpolations', () => {
    const hints = findRiskHints('const s = `${await fetch(u)}`;', 'a.ts');
    assert.deepEqual(hints.map((h) => h.category), ['network']);
  });

  it('splits identifiers into words', () => {
    assert.deepEqual(splitIdentifier('verifyJWTToken_now'), ['verify', 'jwt', 'token', 'now']);
  });
});

describe('scanCode keeps offsets of any text', () => {
  it('the skeleton and the text without comments have the text\'s length and line breaks: a BOM, lone surrogates, astral characters (property)', () => {
    const piece = fc.constantFrom('\uFEFF', '\uD800', '\uDC00', '😀', 'a', '"', "'", '`', '/', '*', '#', '\n', ' ', '${', '}', '\\');
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 60 }), fc.constantFrom('js' as const, 'python' as const, 'c-like' as const), (pieces, language) => {
        const text = pieces.join('');
        const scanned = scanCode(text, language);
        for (const out of [scanned.skeleton, scanned.withoutComments]) {
          assert.equal(out.length, text.length);
          for (let index = 0; index < text.length; index++) assert.equal(out[index] === '\n', text[index] === '\n', `line break at ${index}`);
        }
      }),
    );
  });
});

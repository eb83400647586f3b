/**
 * Risk hints: things in a block of AI code a reviewer should look at twice. They point, they do
 * not judge; so they aim to be precise (few false alarms) rather than complete. API calls are
 * looked for in code only (comments and strings blanked), SQL in string literals only, secrets
 * everywhere (a key in a comment is still a leaked key).
 */
import { LineIndex, baseName, languageOfPath, scanCode, type ScanLanguage, type ScannedCode } from './codeScanner';
import { english, type Translate } from '../text/translate';

export type RiskCategory =
  | 'secret'
  | 'network'
  | 'process'
  | 'file-deletion'
  | 'dynamic-eval'
  | 'sql-from-strings'
  | 'dependency'
  | 'auth-crypto';

export const RISK_CATEGORIES: readonly RiskCategory[] = [
  'secret',
  'network',
  'process',
  'file-deletion',
  'dynamic-eval',
  'sql-from-strings',
  'dependency',
  'auth-crypto',
];

/**
 * What a detector found, after the category, with `{0}` for the code it names. A closed list, so
 * scripts/l10n.mjs puts every one into the bundle and `riskHintMessage` can say it in the user's
 * language (the code in `{0}` stays as written).
 */
export const RISK_EVIDENCE_MESSAGES = [
  '{0}',
  '{0}()',
  'imports {0}',
  'URL.{0}()',
  'Path.{0}()',
  '{0}() can run code',
  '{0} with a string',
  'pipes text into {0}',
  'fetch()',
  'exec()',
  'eval()',
  'new Function()',
  'imports os/exec',
  'find -delete',
  'private key block',
  'AWS access key id',
  'GitHub token',
  'GitLab token',
  'Slack token',
  'Slack webhook URL',
  'Stripe live key',
  'Google API key',
  'AI provider API key',
  'npm token',
  'JSON Web Token',
  'password in a URL',
  'literal value assigned to {0}',
  'a query string is concatenated or formatted with values',
  'changes the lockfile {0}',
  'adds or changes a dependency in {0}',
] as const;
export type RiskEvidenceMessage = (typeof RISK_EVIDENCE_MESSAGES)[number];

export interface RiskHint {
  readonly category: RiskCategory;
  /** Short and human, in English (the CLI's): "Network access: fetch()". `riskHintMessage` says it in the user's language. */
  readonly message: string;
  /** What was found, after the category, in English: "fetch()", "imports axios". */
  readonly evidence: string;
  /** `evidence` as a message of RISK_EVIDENCE_MESSAGES and the code it names. */
  readonly evidenceMessage: RiskEvidenceMessage;
  readonly evidenceArgs: readonly string[];
  /** 1-based line, relative to the block, of the first evidence. */
  readonly line: number;
}

export interface RiskHintContext {
  /** The file's text before the block, so manifests know which section the block is in. */
  readonly textBefore?: string;
}

const CATEGORY_LABELS: Readonly<Record<RiskCategory, (t: Translate) => string>> = {
  secret: (t) => t('Possible secret'),
  network: (t) => t('Network access'),
  process: (t) => t('Runs a process'),
  'file-deletion': (t) => t('Deletes files'),
  'dynamic-eval': (t) => t('Evaluates code at run time'),
  'sql-from-strings': (t) => t('SQL built from strings'),
  dependency: (t) => t('Dependencies'),
  'auth-crypto': (t) => t('Auth or crypto code'),
};

/** "Network access: fetch()" in the user's language (the category and what was found; the code it names stays as written). */
export function riskHintMessage(hint: Pick<RiskHint, 'category' | 'evidenceMessage' | 'evidenceArgs'>, t: Translate): string {
  // Not a literal message: RISK_EVIDENCE_MESSAGES is the closed list scripts/l10n.mjs collects.
  const translateListed: Translate = t;
  const evidence = translateListed(hint.evidenceMessage, ...hint.evidenceArgs).replace(/\s+/g, ' ').trim();
  return t('{0}: {1}', CATEGORY_LABELS[hint.category](t), evidence);
}

type View = 'skeleton' | 'withoutComments' | 'raw';

interface PatternDetector {
  readonly category: RiskCategory;
  readonly languages: readonly ScanLanguage[] | 'all';
  readonly view: View;
  readonly pattern: RegExp;
  /** What was found; `{0}` is the match (the group named e, else the whole match). */
  readonly what: RiskEvidenceMessage;
}

const JS: readonly ScanLanguage[] = ['js'];
const PY: readonly ScanLanguage[] = ['python'];
const GO: readonly ScanLanguage[] = ['go'];
const JAVA: readonly ScanLanguage[] = ['java'];
const RUST: readonly ScanLanguage[] = ['rust'];
const SHELL: readonly ScanLanguage[] = ['shell'];

/** A shell command in command position: line start, after ; | & ( ` { or a keyword such as `then` or `sudo`. */
const shellCommand = (names: string): RegExp =>
  new RegExp(
    String.raw`(?:^|[;&|(\x60{}]|\$\(|\b(?:then|do|else|sudo|xargs|nohup|exec|time|command|env|if|while|until)(?=\s))[ \t]*(?:sudo[ \t]+(?:-\S+[ \t]+)*)?(?<e>${names})(?=[ \t]|$|;|\))`,
    'gm',
  );
const jsImport = (modules: string): RegExp =>
  new RegExp(String.raw`(?:\brequire\s*\(\s*|\bfrom\s+|\bimport\s*\(\s*|^\s*import\s+)(?<e>['"](?:node:)?(?:${modules})(?:/[\w./-]*)?['"])`, 'gm');
const pyImport = (modules: string): RegExp => new RegExp(String.raw`^[ \t]*(?:from|import)[ \t]+(?<e>(?:${modules})\b)`, 'gm');
const goImport = (paths: string): RegExp => new RegExp(String.raw`^[ \t]*(?:import[ \t]+)?(?:[\w.]+[ \t]+)?(?<e>"(?:${paths})")`, 'gm');

const PATTERN_DETECTORS: readonly PatternDetector[] = [
  // Network
  { category: 'network', languages: JS, view: 'skeleton', pattern: /(?<![\w$.])(?:(?:window|globalThis|self)\.)?(?<e>fetch)\s*\(/g, what: 'fetch()' },
  { category: 'network', languages: JS, view: 'skeleton', pattern: /(?<![\w$.])(?<e>axios|got|superagent|ky|needle)(?:\.(?:get|post|put|patch|delete|head|request|create))?\s*\(/g, what: '{0}' },
  { category: 'network', languages: JS, view: 'skeleton', pattern: /\bnew\s+(?<e>XMLHttpRequest|WebSocket|EventSource)\b/g, what: '{0}' },
  { category: 'network', languages: JS, view: 'skeleton', pattern: /(?<![\w$.])(?<e>https?|net|tls|dgram|http2)\.(?:request|get|connect|createConnection|createServer|createSocket)\s*\(/g, what: '{0}' },
  { category: 'network', languages: JS, view: 'skeleton', pattern: /\b(?<e>navigator\.sendBeacon)\s*\(/g, what: '{0}' },
  { category: 'network', languages: JS, view: 'withoutComments', pattern: jsImport('axios|node-fetch|undici|got|superagent|ky|needle|http|https|http2|net|tls|dgram|ws|socket\\.io-client'), what: 'imports {0}' },
  { category: 'network', languages: PY, view: 'skeleton', pattern: /(?<![\w.])(?<e>(?:requests|httpx|aiohttp|urllib3)\.(?:get|post|put|patch|delete|head|request|Session|Client|AsyncClient|ClientSession|PoolManager))\b/g, what: '{0}' },
  { category: 'network', languages: PY, view: 'skeleton', pattern: /(?<![\w.])(?<e>urlopen|urllib\.request\.\w+|http\.client\.\w+|socket\.socket|socket\.create_connection|smtplib\.SMTP\w*|ftplib\.FTP\w*)\s*\(/g, what: '{0}' },
  { category: 'network', languages: PY, view: 'skeleton', pattern: pyImport('requests|httpx|aiohttp|urllib3|urllib\\.request|http\\.client|socket|smtplib|ftplib|paramiko|websockets?'), what: 'imports {0}' },
  { category: 'network', languages: GO, view: 'skeleton', pattern: /(?<![\w.])(?<e>http\.(?:Get|Post|PostForm|Head|NewRequest|NewRequestWithContext|ListenAndServe)|net\.(?:Dial|DialTimeout|Listen)|grpc\.Dial)\s*\(/g, what: '{0}' },
  { category: 'network', languages: GO, view: 'skeleton', pattern: /(?<![\w.])(?<e>http\.Client)\s*\{/g, what: '{0}' },
  { category: 'network', languages: GO, view: 'withoutComments', pattern: goImport('net/http|net|net/rpc|google\\.golang\\.org/grpc'), what: 'imports {0}' },
  { category: 'network', languages: JAVA, view: 'skeleton', pattern: /\b(?<e>HttpClient|HttpURLConnection|HttpsURLConnection|OkHttpClient|RestTemplate|WebClient|HttpRequest|Socket|ServerSocket|DatagramSocket)\b\s*(?:\.|\(|\s+\w+\s*=)/g, what: '{0}' },
  { category: 'network', languages: JAVA, view: 'skeleton', pattern: /\.(?<e>openConnection|openStream)\s*\(/g, what: 'URL.{0}()' },
  { category: 'network', languages: JAVA, view: 'skeleton', pattern: /^[ \t]*import[ \t]+(?<e>java\.net\.\w+|java\.net\.http\.\w+|okhttp3\.\w+|org\.apache\.http\.[\w.]+)/gm, what: 'imports {0}' },
  { category: 'network', languages: RUST, view: 'skeleton', pattern: /(?<e>\breqwest::|\bureq::|\bhyper::|\bTcpStream::connect|\bTcpListener::bind|\bUdpSocket::bind)/g, what: '{0}' },
  { category: 'network', languages: SHELL, view: 'skeleton', pattern: shellCommand('curl|wget|nc|ncat|netcat|ssh|scp|sftp|rsync|ftp|telnet'), what: '{0}' },

  // Process execution
  { category: 'process', languages: JS, view: 'withoutComments', pattern: jsImport('child_process|execa|shelljs|cross-spawn'), what: 'imports {0}' },
  { category: 'process', languages: JS, view: 'skeleton', pattern: /(?<![\w$])(?:(?:child_process|childProcess|cp|proc)\.)?(?<e>execSync|execFileSync|spawnSync|execFile|spawn|fork|execa|execaSync|execaCommand)\s*\(/g, what: '{0}()' },
  { category: 'process', languages: JS, view: 'skeleton', pattern: /(?<![\w$.])(?<e>exec)\s*\(/g, what: 'exec()' },
  { category: 'process', languages: JS, view: 'skeleton', pattern: /(?<![\w$])(?<e>(?:child_process|childProcess|cp)\.exec|Deno\.run|Deno\.Command|Bun\.spawn(?:Sync)?)\b/g, what: '{0}' },
  { category: 'process', languages: PY, view: 'skeleton', pattern: /(?<![\w.])(?<e>subprocess\.(?:run|call|check_call|check_output|Popen|getoutput|getstatusoutput)|os\.(?:system|popen|exec[lv]p?e?|spawn[lv]p?e?|posix_spawnp?)|pty\.spawn|asyncio\.create_subprocess_(?:exec|shell))\s*\(/g, what: '{0}()' },
  { category: 'process', languages: PY, view: 'skeleton', pattern: pyImport('subprocess|sh|pexpect'), what: 'imports {0}' },
  { category: 'process', languages: GO, view: 'skeleton', pattern: /(?<![\w.])(?<e>exec\.Command(?:Context)?|syscall\.Exec|os\.StartProcess)\s*\(/g, what: '{0}()' },
  { category: 'process', languages: GO, view: 'withoutComments', pattern: goImport('os/exec'), what: 'imports os/exec' },
  { category: 'process', languages: JAVA, view: 'skeleton', pattern: /(?<e>Runtime\.getRuntime\(\)\s*\.exec|\bProcessBuilder\b)/g, what: '{0}' },
  { category: 'process', languages: RUST, view: 'skeleton', pattern: /(?<e>\bCommand::new|\bprocess::Command\b)/g, what: '{0}' },
  { category: 'process', languages: SHELL, view: 'skeleton', pattern: shellCommand('sudo|su|nohup|xargs|bash[ \\t]+-c|sh[ \\t]+-c|zsh[ \\t]+-c'), what: '{0}' },

  // File deletion
  { category: 'file-deletion', languages: JS, view: 'skeleton', pattern: /(?<![\w$])(?:fs|fsp|fse|fsPromises|promises|fs\.promises|workspace\.fs)\.(?<e>unlink|unlinkSync|rm|rmSync|rmdir|rmdirSync|remove|removeSync|emptyDir|emptyDirSync|delete)\s*\(/g, what: '{0}()' },
  { category: 'file-deletion', languages: JS, view: 'skeleton', pattern: /(?<![\w$.])(?<e>unlink|unlinkSync|rmSync|rmdirSync|rimraf(?:\.sync|Sync)?|deleteSync|trash)\s*\(/g, what: '{0}()' },
  { category: 'file-deletion', languages: PY, view: 'skeleton', pattern: /(?<![\w.])(?<e>os\.(?:remove|unlink|rmdir|removedirs)|shutil\.rmtree|send2trash)\s*\(/g, what: '{0}()' },
  { category: 'file-deletion', languages: PY, view: 'skeleton', pattern: /[\w)\]]\.(?<e>unlink|rmdir)\s*\(/g, what: 'Path.{0}()' },
  { category: 'file-deletion', languages: GO, view: 'skeleton', pattern: /(?<![\w.])(?<e>os\.(?:Remove|RemoveAll))\s*\(/g, what: '{0}()' },
  { category: 'file-deletion', languages: JAVA, view: 'skeleton', pattern: /(?<e>\bFiles\.(?:delete|deleteIfExists)|\bFileUtils\.(?:deleteDirectory|forceDelete|deleteQuietly|cleanDirectory))\s*\(/g, what: '{0}()' },
  { category: 'file-deletion', languages: JAVA, view: 'skeleton', pattern: /(?<e>\b\w*(?:[Ff]ile|[Dd]ir|[Pp]ath)\w*\.delete(?:OnExit)?)\s*\(\s*\)/g, what: '{0}()' },
  { category: 'file-deletion', languages: RUST, view: 'skeleton', pattern: /(?<![\w])(?<e>(?:fs::)?remove_(?:file|dir|dir_all))\s*\(/g, what: '{0}()' },
  { category: 'file-deletion', languages: SHELL, view: 'skeleton', pattern: shellCommand('rm|rmdir|shred|unlink'), what: '{0}' },
  { category: 'file-deletion', languages: SHELL, view: 'skeleton', pattern: /\bfind\b[^\n;|]*[ \t](?<e>-delete)\b/g, what: 'find -delete' },

  // Dynamic code evaluation
  { category: 'dynamic-eval', languages: JS, view: 'skeleton', pattern: /(?<![\w$.])(?<e>eval)\s*\(/g, what: 'eval()' },
  { category: 'dynamic-eval', languages: JS, view: 'skeleton', pattern: /(?<e>\bnew\s+Function|(?<![\w$.])Function)\s*\(/g, what: 'new Function()' },
  { category: 'dynamic-eval', languages: JS, view: 'withoutComments', pattern: /(?<![\w$.])(?<e>setTimeout|setInterval)\s*\(\s*['"`]/g, what: '{0} with a string' },
  { category: 'dynamic-eval', languages: JS, view: 'skeleton', pattern: /(?<![\w$])(?<e>vm\.(?:runInThisContext|runInNewContext|runInContext|compileFunction|Script)|new\s+vm\.Script)\b/g, what: '{0}' },
  { category: 'dynamic-eval', languages: PY, view: 'skeleton', pattern: /(?<![\w.])(?<e>eval|exec|compile|__import__)\s*\(/g, what: '{0}()' },
  { category: 'dynamic-eval', languages: PY, view: 'skeleton', pattern: /(?<![\w.])(?<e>pickle\.loads?|marshal\.loads?|dill\.loads?|yaml\.unsafe_load)\s*\(/g, what: '{0}() can run code' },
  { category: 'dynamic-eval', languages: GO, view: 'skeleton', pattern: /(?<![\w.])(?<e>plugin\.Open)\s*\(/g, what: '{0}()' },
  { category: 'dynamic-eval', languages: JAVA, view: 'skeleton', pattern: /\b(?<e>ScriptEngineManager|GroovyShell|getEngineByName)\b/g, what: '{0}' },
  { category: 'dynamic-eval', languages: RUST, view: 'skeleton', pattern: /(?<e>\blibloading::Library::new|\bLibrary::new)/g, what: '{0}' },
  { category: 'dynamic-eval', languages: SHELL, view: 'skeleton', pattern: shellCommand('eval|source'), what: '{0}' },
  { category: 'dynamic-eval', languages: SHELL, view: 'skeleton', pattern: /\|[ \t]*(?:sudo[ \t]+)?(?<e>(?:ba|z|k)?sh)\b(?![ \t]*-c)/g, what: 'pipes text into {0}' },

  // Auth and crypto: well-known modules and APIs (identifiers are handled separately).
  { category: 'auth-crypto', languages: JS, view: 'withoutComments', pattern: jsImport('crypto|bcrypt|bcryptjs|argon2|jsonwebtoken|jose|passport[\\w-]*|crypto-js|tweetnacl|node-forge|@azure/msal-node|oauth|openid-client|express-session|next-auth'), what: 'imports {0}' },
  { category: 'auth-crypto', languages: JS, view: 'skeleton', pattern: /(?<![\w$])(?<e>crypto\.(?:createHash|createHmac|createCipheriv|createDecipheriv|createSign|createVerify|generateKeyPair\w*|pbkdf2\w*|scrypt\w*|randomBytes|timingSafeEqual|subtle)|jwt\.(?:sign|verify|decode)|bcrypt\.\w+)\b/g, what: '{0}' },
  { category: 'auth-crypto', languages: PY, view: 'skeleton', pattern: pyImport('hashlib|hmac|secrets|cryptography|Crypto|nacl|jwt|jose|bcrypt|passlib|argon2|itsdangerous|flask_login|oauthlib|authlib'), what: 'imports {0}' },
  { category: 'auth-crypto', languages: GO, view: 'withoutComments', pattern: goImport('crypto/[\\w/]+|golang\\.org/x/crypto/[\\w/]+|github\\.com/golang-jwt/jwt[\\w/]*|golang\\.org/x/oauth2[\\w/]*'), what: 'imports {0}' },
  { category: 'auth-crypto', languages: JAVA, view: 'skeleton', pattern: /\b(?<e>MessageDigest|Cipher|KeyGenerator|SecretKeySpec|KeyStore|SecureRandom|Mac\.getInstance|KeyPairGenerator|Signature\.getInstance|BCryptPasswordEncoder|PasswordEncoder|AuthenticationManager)\b/g, what: '{0}' },
  { category: 'auth-crypto', languages: JAVA, view: 'skeleton', pattern: /^[ \t]*import[ \t]+(?<e>javax\.crypto\.[\w.]+|java\.security\.[\w.]+|org\.springframework\.security\.[\w.]+|io\.jsonwebtoken\.[\w.]+)/gm, what: 'imports {0}' },
  { category: 'auth-crypto', languages: RUST, view: 'skeleton', pattern: /(?<e>\b(?:ring|sha2|sha1|md5|aes|aes_gcm|rsa|ed25519_dalek|argon2|bcrypt|hmac|jsonwebtoken|openssl|rustls|chacha20poly1305)::)/g, what: '{0}' },
  { category: 'auth-crypto', languages: SHELL, view: 'skeleton', pattern: shellCommand('openssl|gpg|ssh-keygen|htpasswd|certutil|keytool'), what: '{0}' },

  // Secrets with a recognisable shape, anywhere in the text.
  { category: 'secret', languages: 'all', view: 'raw', pattern: /(?<e>-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----)/g, what: 'private key block' },
  { category: 'secret', languages: 'all', view: 'raw', pattern: /(?<![A-Za-z0-9])(?<e>(?:AKIA|ASIA|AGPA|AIDA|AROA)[0-9A-Z]{16})(?![A-Za-z0-9])/g, what: 'AWS access key id' },
  { category: 'secret', languages: 'all', view: 'raw', pattern: /(?<![A-Za-z0-9_])(?<e>gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{40,})/g, what: 'GitHub token' },
  { category: 'secret', languages: 'all', view: 'raw', pattern: /(?<![A-Za-z0-9_])(?<e>glpat-[A-Za-z0-9_-]{20,})/g, what: 'GitLab token' },
  { category: 'secret', languages: 'all', view: 'raw', pattern: /(?<![A-Za-z0-9])(?<e>xox[abposr]-[A-Za-z0-9-]{10,})/g, what: 'Slack token' },
  { category: 'secret', languages: 'all', view: 'raw', pattern: /(?<![A-Za-z0-9])(?<e>(?:sk|rk)_live_[0-9A-Za-z]{20,})/g, what: 'Stripe live key' },
  { category: 'secret', languages: 'all', view: 'raw', pattern: /(?<![A-Za-z0-9])(?<e>AIza[0-9A-Za-z_-]{35})/g, what: 'Google API key' },
  { category: 'secret', languages: 'all', view: 'raw', pattern: /(?<![A-Za-z0-9_-])(?<e>sk-(?:proj-|ant-(?:api\d\d-)?)?[A-Za-z0-9_-]{32,})/g, what: 'AI provider API key' },
  { category: 'secret', languages: 'all', view: 'raw', pattern: /(?<![A-Za-z0-9_-])(?<e>npm_[A-Za-z0-9]{36})/g, what: 'npm token' },
  { category: 'secret', languages: 'all', view: 'raw', pattern: /(?<![A-Za-z0-9_-])(?<e>eyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,})/g, what: 'JSON Web Token' },
  { category: 'secret', languages: 'all', view: 'raw', pattern: /(?<e>https:\/\/hooks\.slack\.com\/services\/[A-Za-z0-9/]{20,})/g, what: 'Slack webhook URL' },
];

const MANIFEST_FILES = new Set([
  'package.json', 'composer.json', 'deno.json', 'deno.jsonc', 'pyproject.toml', 'pipfile', 'setup.py', 'setup.cfg',
  'go.mod', 'cargo.toml', 'pom.xml', 'build.gradle', 'build.gradle.kts', 'gemfile', 'environment.yml', 'environment.yaml',
  'packages.config', 'directory.packages.props', 'pubspec.yaml', 'mix.exs', 'vcpkg.json', 'conanfile.txt',
]);
const LOCK_FILES = new Set([
  'package-lock.json', 'npm-shrinkwrap.json', 'yarn.lock', 'pnpm-lock.yaml', 'bun.lock', 'go.sum', 'cargo.lock', 'poetry.lock',
  'pipfile.lock', 'uv.lock', 'gemfile.lock', 'composer.lock', 'pubspec.lock', 'packages.lock.json',
]);

export function findRiskHints(code: string, path: string, context: RiskHintContext = {}): RiskHint[] {
  const language = languageOfPath(path);
  const scanned = scanCode(code, language);
  const lines = new LineIndex(code);
  const found = new Map<RiskCategory, Evidence>();
  const note = (category: RiskCategory, evidence: Evidence): void => {
    const previous = found.get(category);
    if (!previous || evidence.offset < previous.offset) found.set(category, evidence);
  };

  for (const detector of PATTERN_DETECTORS) {
    if (detector.languages !== 'all' && !detector.languages.includes(language)) continue;
    const match = firstMatch(detector.pattern, viewOf(detector.view, code, scanned));
    if (match) note(detector.category, { offset: match.offset, what: detector.what, args: detector.what.includes('{0}') ? match.groups.slice(0, 1) : [] });
  }
  const assignedSecret = findSecretAssignment(code, language);
  if (assignedSecret) note('secret', assignedSecret);
  const credentialUrl = findCredentialUrl(code);
  if (credentialUrl) note('secret', credentialUrl);
  const sql = findSqlFromStrings(code, scanned, language);
  if (sql) note('sql-from-strings', sql);
  const authWord = findAuthIdentifier(scanned.skeleton, language);
  if (authWord) note('auth-crypto', authWord);
  const dependency = findDependencyChange(code, path, context.textBefore ?? '');
  if (dependency) note('dependency', dependency);

  return [...found.entries()]
    .map(([category, { offset, what, args = [] }]): RiskHint => {
      const hint = { category, evidenceMessage: what, evidenceArgs: args.map((arg) => arg.replace(/\s+/g, ' ').trim()) };
      return { ...hint, message: riskHintMessage(hint, english), evidence: english(what, ...hint.evidenceArgs).replace(/\s+/g, ' ').trim(), line: lines.lineOf(offset) };
    })
    .sort((a, b) => a.line - b.line || RISK_CATEGORIES.indexOf(a.category) - RISK_CATEGORIES.indexOf(b.category));
}

interface Evidence {
  readonly offset: number;
  readonly what: RiskEvidenceMessage;
  /** The code `{0}` names. */
  readonly args?: readonly string[];
}

function viewOf(view: View, code: string, scanned: ScannedCode): string {
  if (view === 'skeleton') return scanned.skeleton;
  if (view === 'withoutComments') return scanned.withoutComments;
  return code;
}

function firstMatch(pattern: RegExp, text: string): { offset: number; groups: string[] } | undefined {
  pattern.lastIndex = 0;
  const match = pattern.exec(text);
  if (!match) return undefined;
  const evidence = match.groups?.e;
  const offset = evidence === undefined ? match.index : match.index + match[0].lastIndexOf(evidence);
  return { offset, groups: [evidence ?? match[0], ...match.slice(1)].map((g) => g ?? '') };
}

// ---- Secrets assigned to secret-like names ----

/** Names whose last word says they hold a secret: apiKey, DB_PASSWORD, client_secret, githubToken. Not tokenType or MAX_TOKENS. */
const SECRET_NAME = /(?:secret|token|passw(?:or)?d|pwd|passphrase|api_?key|access_?key|secret_?key|private_?key|auth_?key|signing_?key|encryption_?key|credentials?|client_?secret|conn(?:ection)?_?string)$/;
const ASSIGNMENT = /(?<name>[A-Za-z_][\w.-]*)["']?\s*(?::=|=|:|=>)\s*(?:[A-Za-z_][\w.]*\s*\(\s*)?(?<quote>["'`]?)(?<value>[^\s"'`,;)]{8,})\k<quote>/g;
const PLACEHOLDER = /^(?:x+|\*+|\.+|<[^>]*>|\$\{[^}]*\}|\$\w+|\{\{[^}]*\}\}|%\(?\w+\)?s?|(?:your|my|the|some|example|dummy|test|fake|sample|placeholder|changeme|change_me|redacted|todo|none|null|undefined|secret|password|token)[\w-]*)$/i;

function findSecretAssignment(code: string, language: ScanLanguage): Evidence | undefined {
  ASSIGNMENT.lastIndex = 0;
  for (let match = ASSIGNMENT.exec(code); match; match = ASSIGNMENT.exec(code)) {
    const { name, quote, value } = match.groups as { name: string; quote: string; value: string };
    const normalized = name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase().replace(/[.-]/g, '_');
    const lastPart = normalized.split('.').pop() ?? normalized;
    if (!SECRET_NAME.test(lastPart)) continue;
    // Unquoted values are only literal in shell and config files; elsewhere they are identifiers.
    if (!quote && language !== 'shell' && language !== 'hash-config' && language !== 'plain') continue;
    if (PLACEHOLDER.test(value) || /^[A-Za-z_][\w.]*\(/.test(value) || /^(?:process\.env|os\.environ|env\.)/.test(value)) continue;
    if (!looksRandom(value)) continue;
    return { offset: match.index + match[0].indexOf(value), what: 'literal value assigned to {0}', args: [name] };
  }
  return undefined;
}

/** Random-looking: mixed character classes and enough Shannon entropy; words and paths are not. */
function looksRandom(value: string): boolean {
  if (/^[a-z]+$/i.test(value) || /^[\w-]+(?:\/[\w-]+)+$/.test(value) || /^\d+$/.test(value)) return false;
  const classes = [/[a-z]/, /[A-Z]/, /\d/, /[^A-Za-z0-9]/].filter((c) => c.test(value)).length;
  if (classes < 2) return false;
  return shannonEntropy(value) >= (value.length >= 20 ? 3.5 : 2.8);
}

function shannonEntropy(value: string): number {
  const counts = new Map<string, number>();
  for (const ch of value) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let entropy = 0;
  for (const count of counts.values()) {
    const p = count / value.length;
    entropy -= p * Math.log2(p);
  }
  return entropy;
}

function findCredentialUrl(code: string): Evidence | undefined {
  const pattern = /\b[a-z][a-z0-9+.-]*:\/\/(?<user>[^\s:/@'"`]+):(?<password>[^\s:/@'"`]+)@[\w.-]+/gi;
  for (let match = pattern.exec(code); match; match = pattern.exec(code)) {
    const password = match.groups?.password ?? '';
    if (PLACEHOLDER.test(password) || /^\$|^\{|^%/.test(password)) continue;
    return { offset: match.index, what: 'password in a URL' };
  }
  return undefined;
}

// ---- SQL built from strings ----

const SQL_STATEMENT =
  /\b(?:SELECT\s+(?:DISTINCT\s+)?(?:\*|[\w.]+(?:\s+AS\s+\w+)?(?:\s*,\s*[\w.]+(?:\s+AS\s+\w+)?)*)\s+FROM|INSERT\s+INTO|UPDATE\s+[\w."`]+\s+SET|DELETE\s+FROM|DROP\s+(?:TABLE|DATABASE)|CREATE\s+TABLE|ALTER\s+TABLE|TRUNCATE\s+TABLE|WHERE\s+[\w.]+\s*(?:=|LIKE|IN)\s*$)/i;

function findSqlFromStrings(code: string, scanned: ScannedCode, language: ScanLanguage): Evidence | undefined {
  if (language === 'plain' || language === 'hash-config') return undefined;
  const skeleton = scanned.skeleton;
  for (let index = 0; index < scanned.strings.length; index++) {
    const literal = scanned.strings[index];
    if (literal.prefix === '/') continue;
    const value = literal.value;
    const statement = SQL_STATEMENT.exec(value);
    if (!statement) continue;
    // SQL keywords also occur in prose ("Delete from the menu"): accept upper-case keywords, or
    // lower-case ones in a string that has the rest of a query's shape.
    const keyword = /^\w+/.exec(statement[0])?.[0] ?? '';
    const upper = keyword === keyword.toUpperCase();
    if (!upper && !(keyword === keyword.toLowerCase() && /\b(?:where|values|set|join)\b/.test(value))) continue;
    if (isBuiltFromParts(literal, index, scanned, skeleton, code, language)) {
      return { offset: literal.start, what: 'a query string is concatenated or formatted with values' };
    }
  }
  return undefined;
}

function isBuiltFromParts(
  literal: ScannedCode['strings'][number],
  index: number,
  scanned: ScannedCode,
  skeleton: string,
  code: string,
  language: ScanLanguage,
): boolean {
  if (literal.interpolates) return true;
  const closeQuoteLength = literal.prefix === '`' || language !== 'python' ? 1 : quoteLengthAt(code, literal.end);
  const after = skeleton.slice(literal.end + closeQuoteLength, literal.end + closeQuoteLength + 40);
  if (/^\s*(?:\+(?!\s*['"`])|%\s*[\w(]|\.\s*format\s*\(|\.\.)/.test(after)) return true;
  const before = skeleton.slice(Math.max(0, literal.start - 41), literal.start - 1);
  if (/[\w)\]]\s*\+\s*$/.test(before) || /\+=\s*$/.test(before)) return true;
  // Format calls with placeholders: Sprintf("... %s"), String.format, format!("{}").
  if (/(?:Sprintf|Sprint|Errorf|String\.format|format!|\.formatted)\s*\(\s*[\w&]*\s*$/.test(before) && /%[sdvq]|\{\w*\}/.test(literal.value)) return true;
  // A string concatenated to a following string across a line break: "SELECT ... WHERE id = " + id
  const next = scanned.strings[index + 1];
  if (next && /^\s*\+\s*$/.test(skeleton.slice(literal.end + closeQuoteLength, next.start - 1))) {
    return /^\s*\+\s*[\w(]/.test(skeleton.slice(next.end + 1, next.end + 40));
  }
  return false;
}

function quoteLengthAt(code: string, offset: number): number {
  return code.startsWith('"""', offset) || code.startsWith("'''", offset) ? 3 : 1;
}

// ---- Auth and crypto identifiers ----

const AUTH_WORDS = new Set([
  'authenticate', 'authenticated', 'authentication', 'authenticator', 'authorize', 'authorized', 'authorization', 'authz', 'authn',
  'password', 'passwd', 'passphrase', 'credential', 'credentials', 'jwt', 'oauth', 'oauth2', 'openid', 'saml', 'totp', 'mfa', 'csrf',
  'bcrypt', 'argon2', 'scrypt', 'pbkdf2', 'hmac', 'cipher', 'decipher', 'encrypt', 'decrypt', 'encryption', 'decryption', 'crypto',
  'cryptography', 'hashlib', 'login', 'logout', 'signin', 'signout', 'md5', 'sha1', 'sha256', 'sha512', 'keypair', 'privatekey',
]);

function findAuthIdentifier(skeleton: string, language: ScanLanguage): Evidence | undefined {
  if (language === 'plain' || language === 'hash-config') return undefined;
  const identifier = /[A-Za-z_$][\w$]*/g;
  for (let match = identifier.exec(skeleton); match; match = identifier.exec(skeleton)) {
    const words = splitIdentifier(match[0]);
    const hit = words.find((word) => AUTH_WORDS.has(word)) ?? (words.join('').match(/^(?:privatekey|keypair|signin|signout)$/)?.[0]);
    if (hit) return { offset: match.index, what: '{0}', args: [match[0]] };
  }
  return undefined;
}

export function splitIdentifier(identifier: string): string[] {
  return identifier
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .split(/[\s_$]+/)
    .filter(Boolean)
    .map((word) => word.toLowerCase());
}

// ---- Dependency manifests ----

function findDependencyChange(code: string, path: string, textBefore: string): Evidence | undefined {
  const base = baseName(path).toLowerCase();
  const firstContent = Math.max(0, code.search(/\S/));
  if (LOCK_FILES.has(base)) return code.trim() ? { offset: firstContent, what: 'changes the lockfile {0}', args: [baseName(path)] } : undefined;
  const isRequirements = /^(?:requirements|constraints)[\w.-]*\.(?:txt|in)$/.test(base);
  if (!MANIFEST_FILES.has(base) && !isRequirements && !base.endsWith('.csproj') && !base.endsWith('.fsproj')) return undefined;
  const name = baseName(path);
  const offset = dependencyLineOffset(code, base, isRequirements, textBefore);
  return offset === undefined ? undefined : { offset, what: 'adds or changes a dependency in {0}', args: [name] };
}

function dependencyLineOffset(code: string, base: string, isRequirements: boolean, textBefore: string): number | undefined {
  const lines = code.split('\n');
  let offset = 0;
  let tomlSection = lastTomlSection(textBefore);
  let jsonPath = base.endsWith('.json') || base.endsWith('.jsonc') ? jsonKeyPath(textBefore) : [];
  let inDependencyArray = /(?:dependencies|requires|install_requires)\s*=\s*\[[^\]]*$/.test(textBefore);
  for (const line of lines) {
    const trimmed = line.trim();
    if (isRequirements) {
      if (trimmed && !trimmed.startsWith('#') && !/^-(?:c|r|-constraint|-requirement)\b/.test(trimmed)) return offset;
    } else if (base.endsWith('.json') || base.endsWith('.jsonc')) {
      const key = jsonPath[jsonPath.length - 1] ?? '';
      if (/^"(?:[\w@./-]+)"\s*:/.test(trimmed) && /(?:^|\.)(?:dependencies|devDependencies|peerDependencies|optionalDependencies|bundleDependencies|bundledDependencies|overrides|resolutions|require|require-dev|imports)$/.test(key)) return offset;
      if (/^"(?:pre|post)?install"\s*:/.test(trimmed) && key === 'scripts') return offset;
      if (/^"(?:dependencies|devDependencies|peerDependencies|optionalDependencies|require|require-dev|imports)"\s*:\s*\{\s*"/.test(trimmed)) return offset;
      jsonPath = jsonKeyPath(line, jsonPath);
    } else if (base.endsWith('.toml') || base === 'pipfile') {
      const header = /^\[\[?([^\]]+)\]\]?/.exec(trimmed);
      if (header) {
        tomlSection = header[1].trim();
        inDependencyArray = false;
      } else if (trimmed && !trimmed.startsWith('#')) {
        if (/(?:^|\.)(?:dependencies|dev-dependencies|build-dependencies|packages|dev-packages|optional-dependencies|dependency-groups)(?:\.|$)/.test(tomlSection)) return offset;
        if (/^(?:dependencies|requires|optional-dependencies)\s*=/.test(trimmed)) return offset;
        if (inDependencyArray && /^["']/.test(trimmed)) return offset;
        if (/^\w[\w-]*\s*=\s*\[/.test(trimmed)) inDependencyArray = /^(?:dependencies|requires)\s*=\s*\[[^\]]*$/.test(trimmed);
        if (trimmed.startsWith(']')) inDependencyArray = false;
      }
    } else if (base === 'go.mod') {
      if (/^(?:require|replace)\b/.test(trimmed) || /^[\w.-]+(?:\/[\w.~-]+)+\s+v\d/.test(trimmed)) return offset;
    } else if (base === 'pom.xml') {
      if (/<(?:dependency|plugin|parent|extension)>|<artifactId>|<version>/.test(trimmed)) return offset;
    } else if (base.startsWith('build.gradle')) {
      if (/^(?:implementation|api|compileOnly|runtimeOnly|testImplementation|testRuntimeOnly|classpath|kapt|ksp|annotationProcessor|developmentOnly)\s*[( ]\s*['"(]/.test(trimmed) || /^id\s*[( ]\s*['"]/.test(trimmed)) return offset;
    } else if (base === 'gemfile') {
      if (/^gem\s+['"]/.test(trimmed)) return offset;
    } else if (base === 'setup.py' || base === 'setup.cfg') {
      if (/install_requires|extras_require|setup_requires/.test(trimmed) || /^["'][\w.-]+\s*(?:[<>=!~]=?|\[)/.test(trimmed)) return offset;
    } else if (base.endsWith('proj') || base === 'packages.config' || base === 'directory.packages.props') {
      if (/<Package(?:Reference|Version)?\b|<package\s+id=/.test(trimmed)) return offset;
    } else if (trimmed && !trimmed.startsWith('#')) {
      return offset;
    }
    offset += line.length + 1;
  }
  return undefined;
}

function lastTomlSection(textBefore: string): string {
  const headers = [...textBefore.matchAll(/^\s*\[\[?([^\]\n]+)\]\]?/gm)];
  return headers.length ? headers[headers.length - 1][1].trim() : '';
}

/** The stack of keys of the objects and arrays open at the end of `text` (JSON, strings respected). */
function jsonKeyPath(text: string, initial: string[] = []): string[] {
  const stack = [...initial];
  let lastString = '';
  let pendingKey = '';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"' && text[j] !== '\n') j += text[j] === '\\' ? 2 : 1;
      lastString = text.slice(i + 1, j);
      i = j;
    } else if (ch === ':') {
      pendingKey = lastString;
    } else if (ch === '{' || ch === '[') {
      stack.push(pendingKey);
      pendingKey = '';
    } else if (ch === '}' || ch === ']') {
      stack.pop();
    } else if (ch === ',') {
      pendingKey = '';
    }
  }
  return stack;
}

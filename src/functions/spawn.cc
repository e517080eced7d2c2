#include "internal/spawn.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>

extern char** environ;  // NOLINT: POSIX

namespace sluice::functions {
namespace {

std::vector<char*> Pointers(const std::vector<std::string>& v) {
  std::vector<char*> out;
  out.reserve(v.size() + 1);
  for (const std::string& s : v) out.push_back(const_cast<char*>(s.c_str()));
  out.push_back(nullptr);
  return out;
}

// In the child between fork and exec: async-signal-safe calls only.
[[noreturn]] void ExecChild(const SpawnSpec& spec, char* const* argv, char* const* envp, int out_fd,
                            const sigset_t& unblock) {
  setpgid(0, 0);
  sigprocmask(SIG_SETMASK, &unblock, nullptr);
  signal(SIGPIPE, SIG_DFL);
  const int devnull = open("/dev/null", O_RDONLY);
  if (devnull >= 0) dup2(devnull, 0);
  if (out_fd >= 0) {
    dup2(out_fd, 1);
    dup2(out_fd, 2);
  }
  if (!spec.cwd.empty() && chdir(spec.cwd.c_str()) != 0) _exit(126);
  if (spec.address_space_bytes > 0) {
    const rlimit lim{spec.address_space_bytes, spec.address_space_bytes};
    setrlimit(RLIMIT_AS, &lim);
  }
  execvpe(argv[0], argv, envp);
  _exit(127);
}

}  // namespace

Result<Spawned> Spawn(const SpawnSpec& spec) {
  if (spec.argv.empty()) return Status::InvalidArgument("spawn: empty argv");
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) return Status::FromErrno("pipe", "", errno);
  std::vector<char*> argv = Pointers(spec.argv);
  std::vector<char*> envp = Pointers(spec.env);
  sigset_t empty;
  sigemptyset(&empty);
  const pid_t pid = fork();
  if (pid < 0) {
    const int err = errno;
    close(fds[0]);
    close(fds[1]);
    return Status::FromErrno("fork", spec.argv[0], err);
  }
  if (pid == 0) ExecChild(spec, argv.data(), envp.data(), fds[1], empty);
  close(fds[1]);
  fcntl(fds[0], F_SETFL, fcntl(fds[0], F_GETFL) | O_NONBLOCK);
  return Spawned{pid, fds[0]};
}

int RunQuiet(const std::vector<std::string>& argv, std::string* output) {
  SpawnSpec spec;
  spec.argv = argv;
  for (char** e = environ; *e != nullptr; ++e) spec.env.emplace_back(*e);
  Result<Spawned> s = Spawn(spec);
  if (!s.ok()) return -1;
  // Drain the output so a chatty child cannot block on a full pipe.
  const int flags = fcntl(s->output_fd, F_GETFL);
  fcntl(s->output_fd, F_SETFL, flags & ~O_NONBLOCK);
  char buf[4096];
  for (ssize_t n; (n = read(s->output_fd, buf, sizeof buf)) > 0;) {
    if (output != nullptr && output->size() < (64u << 10)) output->append(buf, static_cast<size_t>(n));
  }
  close(s->output_fd);
  int status = 0;
  while (waitpid(s->pid, &status, 0) < 0 && errno == EINTR) {
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace sluice::functions

// mimalloc hands freed large blocks back to the system; glibc's malloc kept every 19 MiB
// argon2 buffer resident in per-thread arenas (issue 8, finding 7; bench/logins.sh).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    flagstaff::cli::main()
}

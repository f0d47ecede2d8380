//! The `flagstaff` command; everything it does lives in the library.

/// musl's own allocator is about 3x slower on small requests than glibc's.
#[cfg(target_env = "musl")]
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    flagstaff::cli::main()
}

fn main() -> std::process::ExitCode {
    flagstaff::cli::main()
}

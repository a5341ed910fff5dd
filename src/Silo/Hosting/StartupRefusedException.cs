namespace VerlOrleans.Silo.Hosting;

/// <summary>
/// The silo's settings cannot start a safe grid (open on a network address, a malformed token, a cluster setting that
/// names nothing): the host prints the message, naming the setting, and exits 2 without a stack trace.
/// </summary>
public sealed class StartupRefusedException(string message) : Exception(message);

namespace VerlOrleans.Cli.Grid;

/// <summary>
/// The grid cannot act on what was asked: no silo answers at the gateway, the id names no run or sweep, a checkpoint the
/// silo cannot read. Grid commands report the message and exit with 2 (unreadable input or usage error).
/// </summary>
public sealed class GridInputException(string message, Exception? inner = null) : Exception(message, inner);

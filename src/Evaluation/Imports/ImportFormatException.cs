namespace VerlOrleans.Evaluation.Imports;

/// <summary>A file or folder cannot be imported at all (not one of verl's outputs, unreadable): the message names it.</summary>
public sealed class ImportFormatException(string message, Exception? inner = null) : Exception(message, inner);

using Newtonsoft.Json.Serialization;

namespace VerlOrleans.Grains.Storage;

/// <summary>
/// Lets grain state hold lists made with C# collection expressions. Orleans' JSON grain storage writes each value's
/// runtime type; for <c>IReadOnlyList&lt;T&gt; x = [a]</c> that is a compiler-generated class with no public constructor
/// (<c>&lt;&gt;z__ReadOnlySingleElementList</c>, <c>&lt;&gt;z__ReadOnlyArray</c>), which JSON can write but not read back:
/// the state of a run started from code (the demo sweep) could not be read by its next activation. Such types are
/// written as <see cref="List{T}"/>, and read as one where older state names them.
/// </summary>
public sealed class PortableCollectionsBinder(ISerializationBinder inner) : ISerializationBinder
{
    public Type BindToType(string? assemblyName, string typeName) => Portable(inner.BindToType(assemblyName, typeName));

    public void BindToName(Type serializedType, out string? assemblyName, out string? typeName) =>
        inner.BindToName(Portable(serializedType), out assemblyName, out typeName);

    /// <summary><see cref="List{T}"/> for a compiler-generated read-only collection of T; any other type as it is.</summary>
    public static Type Portable(Type type)
    {
        if (!type.Name.StartsWith("<>z__ReadOnly", StringComparison.Ordinal))
        {
            return type;
        }

        var element = type.GetInterfaces()
            .FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IEnumerable<>))?
            .GetGenericArguments()[0];
        return element is null ? type : typeof(List<>).MakeGenericType(element);
    }
}

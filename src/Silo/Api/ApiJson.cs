using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.Json;

namespace VerlOrleans.Silo.Api;

/// <summary>The API's JSON: enums as strings; a body naming a field the endpoint does not know is refused, not ignored.</summary>
public static class ApiJson
{
    public static void Configure(JsonOptions json)
    {
        json.SerializerOptions.Converters.Add(new JsonStringEnumConverter());
        // A misspelled field ("maxTokenz") would otherwise silently run with the default.
        json.SerializerOptions.UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow;
        json.SerializerOptions.MaxDepth = 32;
    }
}

using System.Text.RegularExpressions;
using VerlOrleans.Testing;

namespace VerlOrleans.Silo.Tests.Docs;

/// <summary>
/// The project's READMEs read as one document each: no heading twice (a section pasted twice is how a README rots), and
/// every link to a file of the repository points at one that exists. Code blocks are skipped: their <c>#</c> lines are
/// shell comments, and their paths are examples. The benchmarks' README is among them, and lists every benchmark
/// project under <c>bench/</c>.
/// </summary>
public sealed partial class ReadmeTests
{
    private static readonly string BenchReadme = Path.Combine("bench", "README.md");

    public static TheoryData<string> Readmes() => [.. ReadmePaths()];

    [Fact]
    public void The_benchmarks_README_is_checked_with_the_others()
    {
        // Its headings and links are checked by the theories above only while the search finds it.
        Assert.Contains(BenchReadme, ReadmePaths());
        Assert.Contains("README.md", ReadmePaths());
    }

    [Fact]
    public void Every_benchmark_project_is_listed_in_the_benchmarks_README()
    {
        var text = File.ReadAllText(Path.Combine(RepositoryPaths.Root, BenchReadme));
        var projects = Directory.EnumerateDirectories(Path.Combine(RepositoryPaths.Root, "bench"))
            .Where(folder => Directory.EnumerateFiles(folder, "*.csproj").Any())
            .Select(Path.GetFileName)
            .Order(StringComparer.Ordinal)
            .ToList();
        Assert.NotEmpty(projects);
        var missing = projects.Where(name => !Regex.IsMatch(text, $@"bench/{Regex.Escape(name!)}(?![A-Za-z0-9_])")).ToList();
        Assert.True(missing.Count == 0, $"{BenchReadme} does not list these benchmark projects (as bench/NAME): {string.Join(", ", missing)}");
    }

    private static IEnumerable<string> ReadmePaths() =>
        Directory.EnumerateFiles(RepositoryPaths.Root, "README.md", SearchOption.AllDirectories)
            .Where(path => !path.Split(Path.DirectorySeparatorChar).Any(part => part is "bin" or "obj" or "node_modules" or ".git"))
            .Select(path => Path.GetRelativePath(RepositoryPaths.Root, path))
            .Order(StringComparer.Ordinal);

    [Theory]
    [MemberData(nameof(Readmes))]
    public void No_heading_appears_twice(string readme)
    {
        var headings = Prose(readme).Select(line => Heading().Match(line.Text)).Where(m => m.Success)
            .Select(m => m.Groups[1].Value.Trim()).ToList();
        var repeated = headings.GroupBy(h => h, StringComparer.Ordinal).Where(g => g.Count() > 1).Select(g => $"'{g.Key}' ({g.Count()} times)").ToList();
        Assert.True(repeated.Count == 0, $"{readme} repeats headings: {string.Join(", ", repeated)}");
        Assert.NotEmpty(headings);
    }

    [Theory]
    [MemberData(nameof(Readmes))]
    public void Every_link_to_a_repository_file_resolves(string readme)
    {
        var folder = Path.GetDirectoryName(Path.Combine(RepositoryPaths.Root, readme))!;
        var broken = new List<string>();
        foreach (var (number, text) in Prose(readme))
        {
            foreach (Match link in Link().Matches(text))
            {
                var target = link.Groups[1].Value.Split('#', 2)[0];
                if (target.Length == 0 || target.Contains("://", StringComparison.Ordinal) || target.StartsWith("mailto:", StringComparison.Ordinal))
                {
                    continue;
                }

                var path = Path.GetFullPath(Path.Combine(folder, Uri.UnescapeDataString(target)));
                if (!File.Exists(path) && !Directory.Exists(path))
                {
                    broken.Add($"line {number}: {target}");
                }
            }
        }

        Assert.True(broken.Count == 0, $"{readme} links to files that do not exist: {string.Join("; ", broken)}");
    }

    private static IEnumerable<(int Number, string Text)> Prose(string readme)
    {
        var inCode = false;
        var number = 0;
        foreach (var line in File.ReadLines(Path.Combine(RepositoryPaths.Root, readme)))
        {
            number++;
            if (line.TrimStart().StartsWith("```", StringComparison.Ordinal))
            {
                inCode = !inCode;
                continue;
            }

            if (!inCode)
            {
                yield return (number, line);
            }
        }
    }

    [GeneratedRegex(@"^#{1,6}\s+(.+)$")]
    private static partial Regex Heading();

    // [text](target) and ![alt](target); a target may carry a title after a space.
    [GeneratedRegex(@"\]\(([^)\s]+)(?:\s+""[^""]*"")?\)")]
    private static partial Regex Link();
}

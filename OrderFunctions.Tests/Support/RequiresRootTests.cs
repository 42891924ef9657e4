using OrderFunctions.Tests.Storage.Sqlite;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace OrderFunctions.Tests.Support;

/// <summary>
/// Tests that need root say so where a developer looks (the default console output) and can be left out by a filter,
/// which is how CI runs the rest of the suite as a non-root user.
/// </summary>
public sealed class RequiresRootTests
{
    private static readonly string ReadOnlyVolumeTest =
        nameof(DatabaseFileFaultTests.Store_recovers_by_itself_when_a_read_only_volume_left_by_a_crash_becomes_writable);

    [Fact]
    public void Discover_marks_every_read_only_volume_test_requires_root_when_discovered()
    {
        // Arrange
        var method = TestMethodOf<DatabaseFileFaultTests>(ReadOnlyVolumeTest);
        var attribute = Assert.Single(method.Method.GetCustomAttributes(typeof(RootTheoryAttribute)));

        // Act
        var cases = new RootTheoryDiscoverer(new NullMessageSink()).Discover(new DiscoveryOptions(), method, attribute).ToList();

        // Assert
        Assert.NotEmpty(cases);
        Assert.All(cases, c => Assert.Equal([RootAvailability.TraitValue], c.Traits[RootAvailability.Trait]));
    }

    [Fact]
    public void DisplayName_carries_the_skip_reason_when_a_test_is_skipped_for_what_the_machine_lacks()
    {
        // Act
        var skipped = new VisiblySkippedTestCase(new NullMessageSink(), new DiscoveryOptions(),
            TestMethodOf<DatabaseFileFaultTests>(ReadOnlyVolumeTest), "needs root");

        // Assert
        Assert.Equal("needs root", skipped.SkipReason);
        Assert.Equal($"{typeof(DatabaseFileFaultTests).FullName}.{ReadOnlyVolumeTest} [skipped: needs root]", skipped.DisplayName);
    }

    private static TestMethod TestMethodOf<T>(string name)
    {
        var assembly = new TestAssembly(Reflector.Wrap(typeof(T).Assembly));
        var testClass = new TestClass(new TestCollection(assembly, null, "test"), Reflector.Wrap(typeof(T)));
        return new TestMethod(testClass, Reflector.Wrap(typeof(T).GetMethod(name)!));
    }

    private sealed class DiscoveryOptions : ITestFrameworkDiscoveryOptions
    {
        public TValue GetValue<TValue>(string name) => default!;

        public void SetValue<TValue>(string name, TValue value)
        {
        }
    }
}

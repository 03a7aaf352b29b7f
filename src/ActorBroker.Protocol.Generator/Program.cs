using ActorBroker.Protocol.Generator;

// Usage: dotnet run --project src/ActorBroker.Protocol.Generator -- <specDir> <outDir>
if (args.Length != 2)
{
    Console.Error.WriteLine("usage: ActorBroker.Protocol.Generator <specDir> <outDir>");
    return 2;
}
string specDir = args[0];
string outDir = args[1];
Directory.CreateDirectory(outDir);

var specs = new List<MessageSpec>();
foreach (var path in Directory.GetFiles(specDir, "*.json").Order(StringComparer.Ordinal))
{
    string file = Path.GetFileName(path);
    if (!file.EndsWith("Request.json", StringComparison.Ordinal) && !file.EndsWith("Response.json", StringComparison.Ordinal))
        continue;
    var spec = MessageSpec.Load(path);
    if (spec is null)
        continue; // header and data types
    specs.Add(spec);
}

foreach (var old in Directory.GetFiles(outDir, "*.g.cs"))
    File.Delete(old);

foreach (var spec in specs)
{
    var emitter = new MessageEmitter(spec);
    File.WriteAllText(Path.Combine(outDir, spec.Name + ".g.cs"), emitter.Emit());
    foreach (var r in emitter.Renames.Distinct())
        Console.WriteLine($"{spec.Name}: renamed {r}");
}
File.WriteAllText(Path.Combine(outDir, "ApiMessageTypes.g.cs"), TableEmitter.Emit(specs));
Console.WriteLine($"Wrote {specs.Count} messages and ApiMessageTypes.g.cs to {outDir}");
return 0;

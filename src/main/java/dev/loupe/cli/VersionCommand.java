package dev.loupe.cli;

import ai.djl.engine.Engine;
import dev.loupe.Version;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "version", description = "Print Loupe's version, Java's, and (with --engines) the tensor engines it finds.")
public final class VersionCommand implements Callable<Integer> {
    @Option(names = "--engines", description = "Also load the tensor engines and print their versions (slower).")
    boolean engines;

    @Override
    public Integer call() {
        System.out.println("Loupe " + Version.get());
        System.out.println("Java " + System.getProperty("java.version") + " (" + System.getProperty("java.vendor") + ")");
        if (engines) {
            for (String name : Engine.getAllEngines()) {
                Engine e = Engine.getEngine(name);
                System.out.println(name + " " + e.getVersion());
            }
        }
        return 0;
    }
}

package dev.loupe.cli;

import dev.loupe.LoupeException;
import dev.loupe.app.LoupeApp;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code loupe gui}: the workbench, opened on a workspace and with files already loaded. */
@Command(name = "gui", mixinStandardHelpOptions = true, description = {
    "Open the workbench (as ./loupe without arguments does), on a chosen workspace and with files loaded:",
    "images go to Features, model files and folders to Models."})
public final class GuiCommand implements Callable<Integer> {
    @Option(names = "--workspace", paramLabel = "features|frontier|models", description = "Workspace to show first.")
    LoupeApp.WorkspaceName workspace;

    @Parameters(paramLabel = "FILE", arity = "0..*", description = "Images or model files to open.")
    List<Path> files = List.of();

    @Override
    public Integer call() {
        for (Path f : files) {
            if (!Files.exists(f)) throw new LoupeException(f + ": no such file or folder");
        }
        LoupeApp.open(new LoupeApp.Startup(workspace, List.copyOf(files)));
        return 0;
    }
}

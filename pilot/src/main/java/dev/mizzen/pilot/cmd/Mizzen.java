package dev.mizzen.pilot.cmd;

import dev.mizzen.ingest.parse.ModelPreload;
import dev.mizzen.pilot.debug.HttpLimits;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code mizzen} command. */
@Command(
    name = "mizzen",
    mixinStandardHelpOptions = true,
    versionProvider = Mizzen.Version.class,
    description = "A multitenant xDS control plane with Maistra's semantics.",
    subcommands = {
      ServeCommand.class,
      MemberControllerCommand.class,
      ProxyStatusCommand.class,
      ConfigDumpCommand.class,
      ValidateCommand.class,
      AnalyzeCommand.class,
      CommandLine.HelpCommand.class
    })
public final class Mizzen implements Runnable {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    // Most commands read config: Jackson's first look at the models overlaps with the start.
    ModelPreload.start();
    HttpLimits.install();
    System.exit(new CommandLine(new Mizzen()).execute(args));
  }

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  /** The version from the jar's manifest. */
  static final class Version implements CommandLine.IVersionProvider {
    static String get() {
      String v = Mizzen.class.getPackage().getImplementationVersion();
      return v == null ? "dev" : v;
    }

    @Override
    public String[] getVersion() {
      return new String[] {"mizzen " + get()};
    }
  }
}

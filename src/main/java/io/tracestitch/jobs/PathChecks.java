package io.tracestitch.jobs;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The paths of one run, checked before anything is opened or truncated: every input can be read,
 * and nothing the run writes is an input, or lies where the next run would read it as one. Files
 * are compared by identity (device and inode), so symlinks, hard links and different spellings of
 * one file are the same file. An unreadable input is an {@link UnreadableInputException}; any other
 * misuse is an IllegalArgumentException naming the option.
 */
public final class PathChecks {

    private PathChecks() {}

    /**
     * The files a run reads: each file given, and the regular files directly inside each directory
     * given (sorted; sub-directories are not read). The same file given twice is refused: read
     * twice, every record would be counted twice.
     */
    public static List<Path> inputFiles(List<Path> inputs) throws IOException {
        Map<Object, Path> fileById = new LinkedHashMap<>();
        for (Path input : inputs) {
            if (input.toString().isEmpty()) { // an unset shell variable; it would read the working directory
                throw new IllegalArgumentException("--input is an empty path");
            }
            for (Path file : filesOf(input)) {
                Path earlier = fileById.putIfAbsent(identity(file), file);
                if (earlier != null) {
                    throw new IllegalArgumentException("--input " + earlier + " and " + file + " are the same file;"
                            + " give each input once");
                }
            }
        }
        return new ArrayList<>(fileById.values());
    }

    private static List<Path> filesOf(Path input) throws IOException {
        if (Files.isRegularFile(input)) {
            requireReadable(input);
            return List.of(input);
        }
        if (Files.isDirectory(input)) {
            List<Path> files;
            try (Stream<Path> listing = Files.list(input)) {
                files = listing.filter(Files::isRegularFile).sorted().toList();
            } catch (IOException e) {
                throw new UnreadableInputException("cannot list input directory " + input + ": " + reason(e));
            }
            for (Path file : files) {
                requireReadable(file);
            }
            return files;
        }
        if (Files.isSymbolicLink(input)) {
            throw new UnreadableInputException("input " + input + " is a broken symbolic link");
        }
        throw new UnreadableInputException(Files.exists(input)
                ? "input " + input + " is neither a file nor a directory"
                : "input " + input + " does not exist");
    }

    /** Opens the file for reading: the access bits alone would not show what denies even root. */
    private static void requireReadable(Path file) throws UnreadableInputException {
        try {
            Files.newByteChannel(file).close();
        } catch (IOException e) {
            throw new UnreadableInputException("cannot read input " + file + ": " + reason(e));
        }
    }

    /** Checks each output given by its option name ({@code --output}); null paths are left out. */
    static void checkOutputs(List<Path> inputs, List<Path> inputFiles, Map<String, Path> outputByOption)
            throws IOException {
        Map<Object, Path> inputFileById = new HashMap<>();
        for (Path file : inputFiles) {
            inputFileById.put(identity(file), file);
        }
        Map<Object, Path> inputDirectoryById = new HashMap<>();
        for (Path input : inputs) {
            if (Files.isDirectory(input)) {
                inputDirectoryById.put(identity(input), input);
            }
        }
        Map<Path, String> optionByTarget = new HashMap<>();
        for (Map.Entry<String, Path> entry : outputByOption.entrySet()) {
            String option = entry.getKey();
            Path output = entry.getValue();
            if (output == null) {
                continue;
            }
            Path target = writableTarget(option, output);
            if (Files.exists(output) && inputFileById.containsKey(identity(output))) {
                throw new IllegalArgumentException(option + " " + output + " is the input "
                        + inputFileById.get(identity(output)) + "; writing it would destroy the input");
            }
            Path directory = inputDirectoryById.get(identity(target.getParent()));
            if (directory != null) {
                throw new IllegalArgumentException(option + " " + output + " lies in the input directory " + directory
                        + ", whose files are all read as input; write it elsewhere");
            }
            String sameTarget = optionByTarget.put(target, option);
            if (sameTarget != null) {
                throw new IllegalArgumentException(sameTarget + " and " + option + " are the same file " + output
                        + "; give them different files");
            }
        }
        for (Map.Entry<Path, String> entry : optionByTarget.entrySet()) {
            if (!Files.exists(entry.getKey())) {
                requireCreatable(entry.getValue(), entry.getKey());
            }
        }
    }

    /**
     * Creates the new file and removes it again: only that shows what the directory's access bits
     * do not (a read-only file system, a name too long, what denies even root).
     */
    private static void requireCreatable(String option, Path output) {
        try {
            Files.delete(Files.createFile(output));
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot create " + option + " " + output + ": " + reason(e));
        }
    }

    /**
     * Where the output will really be written (links and spellings resolved), after checking that
     * it is not a directory, lies in a directory that exists and, if it exists, may be written.
     */
    private static Path writableTarget(String option, Path output) throws IOException {
        if (output.toString().equals("-")) {
            throw new IllegalArgumentException(option + " - : writing to standard output is not supported; give a file");
        }
        if (Files.isDirectory(output)) {
            throw new IllegalArgumentException(option + " " + output + " is a directory; give a file");
        }
        if (Files.isSymbolicLink(output) && !Files.exists(output)) {
            throw new IllegalArgumentException(option + " " + output + " is a broken symbolic link");
        }
        if (Files.exists(output)) {
            if (!Files.isWritable(output)) {
                throw new IllegalArgumentException("cannot write " + option + " " + output + ": permission denied");
            }
            return output.toRealPath();
        }
        Path directory = output.toAbsolutePath().getParent();
        if (!Files.isDirectory(directory)) {
            throw new IllegalArgumentException(option + " " + output + ": " + directory
                    + (Files.exists(directory) ? " is not a directory" : " does not exist"));
        }
        return directory.toRealPath().resolve(output.getFileName());
    }

    /** The file itself (device and inode where the platform has them), whatever path leads to it. */
    private static Object identity(Path existing) throws IOException {
        Object key = Files.readAttributes(existing, BasicFileAttributes.class).fileKey();
        return key != null ? key : existing.toRealPath();
    }

    private static String reason(IOException e) {
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof NoSuchFileException) {
            return "no such file or directory";
        }
        return e instanceof FileSystemException failure && failure.getReason() != null
                ? failure.getReason() : String.valueOf(e.getMessage());
    }
}

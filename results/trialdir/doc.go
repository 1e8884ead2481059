// Package trialdir owns the on-disk layout of sweeps and trials: the names of their files,
// how each is encoded, written and read back, the lock a running trial holds, and its
// checkpoint. Every other package reads and writes a trial directory through it.
//
// A sweep directory <out>/<sweep> holds:
//
//	spec.yaml     the sweep's specification, as the user wrote it
//	trials.json   every trial of the sweep, in order, with its resolved config
//	<trial id>/   one trial directory per trial that has started
//
// A trial directory holds:
//
//	config.json     the full resolved configuration (written first)
//	curve.csv       one row per evaluation: step, train_loss, test_loss, test_metric,
//	                grad_norm, clip_rate, seconds
//	gradflow.csv    at initialisation and every evaluation, ‖∂C/∂h_t‖ for every t
//	spectra.csv     at initialisation and every evaluation, σ_max of every recurrent block
//	params.npz      the final parameters, NumPy's .npz (see [WriteParams]): one array per
//	                parameter, "cell/<name>" in the cell's order then "readout/V" (K, H)
//	                and "readout/c" (K, 1), each (rows, cols), row-major, in the trial's
//	                dtype; written just before result.json
//	result.json     the outcome; written last and atomically, so it exists only for a
//	                finished trial
//	checkpoint.gob  the state of an unfinished trial, from which it resumes; one left
//	                beside result.json by a process killed between the two is removed
//	                by the next sweep ([DropLeftCheckpoint])
//	.lock           held (flock) by the process running the trial
//	attempts.jsonl  one line per start, checkpoint and end of each process that worked on
//	                the trial ([AttemptsFile], read with [ReadAttempts])
//
// config.json, params.npz, result.json, checkpoint.gob and the sweep files are replaced atomically
// (temporary file, fsync, rename, fsync of the directory): a crash or a full disk leaves
// either the old file or the new one, never a partial one. A temporary file that a killed
// process leaves behind (.<name>.tmp-<digits>) is never read, and is removed when the
// trial next takes its lock. The CSV files are per-evaluation records ([RecordFile]): they
// grow by appending a block of rows per evaluation; readers ignore a partial last line
// or block left by an interrupted append, and a resumed trial truncates them, atomically,
// to the step of its checkpoint. Every file is created with mode 0644, less the umask.
//
// Two runs of one config produce identical [Outputs] apart from the wall-clock fields
// (curve.csv's seconds, result.json's wall_seconds); see [StripWallClock]. The attempts
// file is not one of them: it records the processes, not the results, so a trial that was
// interrupted and resumed has more attempts than one that ran through, and every attempt
// carries its wall-clock start, host and process id. A process killed outright writes no
// end to its attempt; [ReadAttempts] reports it as killed, with the step of its last
// checkpoint.
//
// A binary built with -tags faultinject can be killed at chosen points of these writes,
// for tests (see fault_inject.go); other builds have no such points.
//
// Package trialdir imports experiments for the config type and nothing else of this
// module; in particular it must not import results or runner, which build on it.
package trialdir

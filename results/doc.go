// Package results is the on-disk store of trials and their learning curves.
//
// A trial directory holds three files:
//
//	config.json  the full resolved configuration (written first)
//	curve.csv    one row per evaluation: step, train_loss, test_loss, test_metric,
//	             grad_norm, clip_rate, seconds
//	result.json  the outcome; written last and atomically, so it exists only for a
//	             finished trial
//
// Every file is replaced atomically (temporary file, fsync, rename, fsync of the
// directory): a crash or a full disk leaves either the old file or the new one, never a
// partial one. The package also reads these files back for reports.
package results

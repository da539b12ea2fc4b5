package debug

import "github.com/kubectl-debugger/kubectl-debugger/internal/customprofile"

// planner is the plan phase with all it depends on: what Complete resolved of the flags
// and files that planning reads, copied out of DebugOptions, and nothing else. It is
// built once a run is validated and only read afterwards, so that every target's plan
// is a function of the target alone, and a test builds the phase on its own.
type planner struct {
	// container is -c; copyTo, targetContainer and shareVolumes the flags of those names.
	container, copyTo, targetContainer, shareVolumes string
	// namespace is where node debugging pods are created.
	namespace string
	// replace is --replace; session tells whether the command holds a session on what
	// it creates (see holdsSession).
	replace, session bool
	// interactive is -i, which needs a debug container that takes input.
	interactive bool
	// targetFS is --target-fs.
	targetFS bool
	// profileName is --profile, profile what it names; customs the --custom profiles.
	profileName string
	profile     profile
	// keep is --keep-*, which the profiles read; --profile=auto makes each in turn.
	keep    KeepFlags
	customs []*customprofile.Profile
	runAs   runAs
	// base is the debug container as the flags describe it, before any profile.
	base containerSpec
	// nameSuffix makes the random part of generated names.
	nameSuffix func() string
	identity   Identity
}

// planner returns the plan phase of a completed run.
func (o *DebugOptions) planner() *planner {
	return &planner{
		container:       o.Container,
		copyTo:          o.CopyTo,
		targetContainer: o.TargetContainer,
		shareVolumes:    o.ShareVolumes,
		namespace:       o.Namespace,
		replace:         o.Replace,
		session:         o.Attach || o.Logs || o.Remove,
		interactive:     o.Interactive,
		targetFS:        o.TargetFS,
		profileName:     o.Profile,
		profile:         o.profile,
		keep:            o.Keep,
		customs:         o.customs,
		runAs:           o.runAs,
		base:            *o.spec(),
		nameSuffix:      o.nameSuffix,
		identity:        o.identity,
	}
}

// spec is the debug container as the flags describe it, for one plan to extend.
func (pl *planner) spec() *containerSpec {
	s := pl.base
	return &s
}

// podMode is the mode of a pod target.
func (pl *planner) podMode() Mode { return podModeFor(pl.copyTo) }

// podModeFor is the mode of a pod target under --copy-to copyTo: a copy when it names
// one, else an ephemeral container.
func podModeFor(copyTo string) Mode {
	if copyTo != "" {
		return ModeCopy
	}
	return ModeEphemeral
}

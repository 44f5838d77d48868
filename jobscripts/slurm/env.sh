# shellcheck shell=bash
# Environment profile for Tessera jobs on a SLURM cluster; sourced by cpu.sbatch (and by you,
# before building on a login node). Load the same compiler, MPI, PETSc, HDF5 and Kokkos modules
# that the build used. The module names below are examples: adapt them to the site.
#
# module load gcc/12 openmpi/4.1
# module load petsc/3.19 hdf5-parallel/1.12
# module load kokkos/4.2 kokkos-kernels/4.2     # then configure with -DKokkos_ROOT=... -DKokkosKernels_ROOT=...
# module load openblas/0.3

# One rank per core: BLAS and OpenMP must not start threads of their own inside a rank.
export OPENBLAS_NUM_THREADS=1
# Open MPI 4.1: OMPIO write data sieving corrupts collective HDF5 writes (open-mpi/ompi#12718).
export OMPI_MCA_fbtl_posix_write_datasieving=0
export OMP_NUM_THREADS="${SLURM_CPUS_PER_TASK:-1}"
export OMP_PROC_BIND=spread OMP_PLACES=threads
# srun does not inherit --cpus-per-task from the allocation since Slurm 22.05.
export SRUN_CPUS_PER_TASK="${SLURM_CPUS_PER_TASK:-1}"

/** Walker2d (Gymnasium v5 walker2d_v5.xml), written in local coordinates from ../shared/REFERENCE.md 1.5. */
function leg(suffix: string, rgba: string): string {
  return `
      <body name="thigh${suffix}" pos="0 0 -0.2">
        <joint name="thigh${suffix}_joint" type="hinge" axis="0 -1 0" pos="0 0 0" range="-150 0"/>
        <geom name="thigh${suffix}_geom" type="capsule" size="0.05 0.225" pos="0 0 -0.225" friction="0.9" rgba="${rgba}"/>
        <body name="leg${suffix}" pos="0 0 -0.7">
          <joint name="leg${suffix}_joint" type="hinge" axis="0 -1 0" pos="0 0 0.25" range="-150 0"/>
          <geom name="leg${suffix}_geom" type="capsule" size="0.04 0.25" friction="0.9" rgba="${rgba}"/>
          <body name="foot${suffix}" pos="0.2 0 -0.35">
            <joint name="foot${suffix}_joint" type="hinge" axis="0 -1 0" pos="-0.2 0 0.1" range="-45 45"/>
            <geom name="foot${suffix}_geom" type="capsule" size="0.06 0.1" pos="-0.1 0 0.1" quat="0.70710678 0 -0.70710678 0" friction="1.9" rgba="${rgba}"/>
          </body>
        </body>
      </body>`;
}

export const walker2dXml = `
<mujoco model="walker2d">
  <compiler angle="degree" inertiafromgeom="true"/>
  <option integrator="RK4" timestep="0.002"/>
  <size memory="256K"/>
  <default>
    <joint armature="0.01" damping="0.1" limited="true"/>
    <geom contype="1" conaffinity="0" condim="3" density="1000" friction="0.7 0.1 0.1" rgba="0.8 0.6 0.4 1"/>
  </default>
  <worldbody>
    <geom name="floor" type="plane" pos="0 0 0" size="40 40 40" conaffinity="1" condim="3" friction="0.7 0.1 0.1" rgba="0.45 0.55 0.5 1"/>
    <body name="torso" pos="0 0 1.25">
      <joint name="rootx" type="slide" axis="1 0 0" pos="0 0 -1.25" limited="false" armature="0" damping="0" stiffness="0"/>
      <joint name="rootz" type="slide" axis="0 0 1" pos="0 0 -1.25" ref="1.25" limited="false" armature="0" damping="0" stiffness="0"/>
      <joint name="rooty" type="hinge" axis="0 1 0" pos="0 0 0" limited="false" armature="0" damping="0" stiffness="0"/>
      <geom name="torso_geom" type="capsule" size="0.05 0.2" friction="0.9"/>${leg('', '0.8 0.6 0.4 1')}${leg('_left', '0.7 0.3 0.6 1')}
    </body>
  </worldbody>
  <actuator>
    <motor joint="thigh_joint" gear="100" ctrllimited="true" ctrlrange="-1 1"/>
    <motor joint="leg_joint" gear="100" ctrllimited="true" ctrlrange="-1 1"/>
    <motor joint="foot_joint" gear="100" ctrllimited="true" ctrlrange="-1 1"/>
    <motor joint="thigh_left_joint" gear="100" ctrllimited="true" ctrlrange="-1 1"/>
    <motor joint="leg_left_joint" gear="100" ctrllimited="true" ctrlrange="-1 1"/>
    <motor joint="foot_left_joint" gear="100" ctrllimited="true" ctrlrange="-1 1"/>
  </actuator>
</mujoco>`;
